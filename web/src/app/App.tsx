// The application shell: decides between the name screen and the chat, and
// composes the features (auth, rooms, chat), which do not import each other.

import { useCallback, useEffect, useState } from 'react';
import { getMe } from '../features/auth/api/get-me';
import { logout } from '../features/auth/api/logout';
import { NameScreen } from '../features/auth/components/NameScreen';
import { ChatProvider } from '../features/chat/components/ChatProvider';
import { ChatRoom } from '../features/chat/components/ChatRoom';
import { ConnectionStatus } from '../features/chat/components/ConnectionStatus';
import { RoomList, type RoomRef } from '../features/rooms/components/RoomList';
import type { User } from '../types/api';

type Session = { kind: 'loading' } | { kind: 'anonymous' } | { kind: 'error'; message: string } | { kind: 'user'; user: User };

const LOBBY: RoomRef = { id: 'lobby', name: 'Lobby' };

export function App() {
  const [session, setSession] = useState<Session>({ kind: 'loading' });

  const check = useCallback(async () => {
    try {
      const user = await getMe();
      setSession(user ? { kind: 'user', user } : { kind: 'anonymous' });
    } catch (e) {
      setSession({ kind: 'error', message: e instanceof Error ? e.message : 'The server cannot be reached.' });
    }
  }, []);

  useEffect(() => {
    let cancelled = false;
    getMe().then(
      (user) => {
        if (!cancelled) setSession(user ? { kind: 'user', user } : { kind: 'anonymous' });
      },
      (e: unknown) => {
        if (!cancelled) {
          setSession({ kind: 'error', message: e instanceof Error ? e.message : 'The server cannot be reached.' });
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  switch (session.kind) {
    case 'loading':
      return <p className="splash">Loading…</p>;
    case 'error':
      return (
        <main className="splash">
          <p role="alert">{session.message}</p>
          <button type="button" onClick={() => void check()}>
            Try again
          </button>
        </main>
      );
    case 'anonymous':
      return <NameScreen onSignedIn={(user) => setSession({ kind: 'user', user })} />;
    case 'user':
      return (
        <ChatShell
          key={session.user.id}
          user={session.user}
          onAuthLost={() => {
            // Only a definite 401 signs the user out; a server that is down
            // keeps the chat on screen, reconnecting.
            getMe().then(
              (user) => {
                if (!user) setSession({ kind: 'anonymous' });
              },
              () => {},
            );
          }}
          onSignOut={() => {
            void logout().finally(() => setSession({ kind: 'anonymous' }));
          }}
        />
      );
  }
}

type ShellProps = { user: User; onAuthLost: () => void; onSignOut: () => void };

function ChatShell({ user, onAuthLost, onSignOut }: ShellProps) {
  const [room, setRoom] = useState<RoomRef>(LOBBY);
  return (
    <ChatProvider me={user} options={{ socket: { onAuthFailure: onAuthLost, onRepeatedFailure: onAuthLost } }}>
      <div className="app">
        <header className="app-header">
          <h1>webchat</h1>
          <ConnectionStatus />
          <div className="me">
            <span>
              Signed in as <strong>{user.name}</strong>
            </span>
            <button type="button" className="secondary" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </header>
        <RoomList activeRoom={room} onOpenRoom={setRoom} />
        <main className="main">
          <ChatRoom key={room.id} roomId={room.id} roomName={room.name} />
        </main>
      </div>
    </ChatProvider>
  );
}
