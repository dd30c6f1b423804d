// Owns one ChatClient for the signed-in user: starts its socket on mount,
// stops it on unmount, and skips the backoff wait when the browser is back online.

import { useEffect, useState, type ReactNode } from 'react';
import type { User } from '../../../types/api';
import { ChatClient, type ChatClientOptions } from '../core/chat-client';
import { createChatStore, initialChatState } from '../core/chat-store';
import { ChatClientContext } from '../hooks/chat-context';

type Props = {
  children: ReactNode;
  /** For tests: a prepared client. */
  client?: ChatClient;
  options?: ChatClientOptions;
  /** The signed-in user, known from /me before the socket's welcome. */
  me?: User;
};

export function ChatProvider({ children, client: given, options, me }: Props) {
  const [client] = useState(
    () =>
      given ??
      new ChatClient({
        store: createChatStore({ ...initialChatState, me: me ?? null }),
        ...options,
      }),
  );

  useEffect(() => {
    client.start();
    const online = () => client.socket.reconnectNow();
    const visibility = () => {
      if (document.visibilityState !== 'hidden') client.pageShown();
    };
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visibility);
    return () => {
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visibility);
      client.stop();
    };
  }, [client]);

  // A guest who registers stays the same user (same provider) with a new
  // identity, which the open connection does not see.
  useEffect(() => {
    if (me) client.setMe(me);
  }, [client, me]);

  return <ChatClientContext.Provider value={client}>{children}</ChatClientContext.Provider>;
}
