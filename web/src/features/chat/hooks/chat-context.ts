// React access to the ChatClient: a context for the instance, and
// useSyncExternalStore for its state (no copy of it in React state, so no
// stale closures: the socket writes to the store, components read from it).

import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ChatClient } from '../core/chat-client';
import type { ChatState } from '../core/chat-store';

export const ChatClientContext = createContext<ChatClient | null>(null);

export function useChatClient(): ChatClient {
  const client = useContext(ChatClientContext);
  if (!client) throw new Error('useChatClient must be used inside <ChatProvider>');
  return client;
}

/** Subscribes to a slice of the chat state; the selector must return a stable reference. */
export function useChatState<T>(selector: (state: ChatState) => T): T {
  const client = useChatClient();
  const get = () => selector(client.store.getState());
  return useSyncExternalStore(client.store.subscribe, get, get);
}
