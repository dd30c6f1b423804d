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

/** The newest read seq per room (this tab's reads and the user's other tabs'). */
export function useReadMarks(): Record<string, number> {
  return useChatState((s) => s.readMarks);
}

/**
 * The room the server last removed the user from (kick, ban, left elsewhere),
 * until acknowledged. `leaving` tells it about the user's own leave from this
 * tab (and its failure), which is then no news: no notice for it.
 */
export function useRemoval(): {
  notice: { room: string; reason: string } | null;
  dismiss: () => void;
  leaving: (room: string, active: boolean) => void;
} {
  const client = useChatClient();
  const notice = useChatState((s) => s.removed);
  return {
    notice,
    dismiss: () => client.store.dispatch({ type: 'room/removed-seen' }),
    leaving: (room, active) => client.store.dispatch({ type: 'room/leaving', room, active }),
  };
}
