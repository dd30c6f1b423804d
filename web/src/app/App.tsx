// The application shell: decides between the sign-in screen and the chat,
// and composes the features (auth, rooms, chat, search), which do not import
// each other. It also owns what belongs to the page as a whole: the room in
// the address (#/room/<id>), the unread total in the title, the theme, the
// room list as a drawer on a phone, and which side panel is open (Escape
// closes it and the focus goes back to what opened it).

import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError } from '../lib/api-client';
import { getMe } from '../features/auth/api/get-me';
import type { AccountUser } from '../features/auth/api/guest-login';
import { logout } from '../features/auth/api/logout';
import { AccountPanel } from '../features/auth/components/AccountPanel';
import { NameScreen } from '../features/auth/components/NameScreen';
import { ChatProvider } from '../features/chat/components/ChatProvider';
import { ChatRoom } from '../features/chat/components/ChatRoom';
import { ConnectionStatus } from '../features/chat/components/ConnectionStatus';
import { useReadMarks, useRemoval } from '../features/chat/hooks/chat-context';
import { MembersPanel } from '../features/rooms/components/MembersPanel';
import { unreadCount } from '../features/rooms/api/get-rooms';
import { joinRoom } from '../features/rooms/api/join-room';
import { RoomListView, type RoomRef } from '../features/rooms/components/RoomList';
import { useMembers } from '../features/rooms/hooks/use-members';
import { useRoomLists } from '../features/rooms/hooks/use-room-lists';
import { SearchBox } from '../features/search/components/SearchBox';
import { SearchResults } from '../features/search/components/SearchResults';
import { useSearch } from '../features/search/hooks/use-search';
import { documentTitle, faviconHref, hashForRoom, roomFromHash } from './room-url';
import { useMutedRooms } from './muted-rooms';
import { RoomSwitcher } from './RoomSwitcher';
import { useTheme } from './theme';

type Session =
  | { kind: 'loading' }
  | { kind: 'anonymous'; notice?: string }
  | { kind: 'error'; message: string }
  | { kind: 'user'; user: AccountUser };

const LOBBY: RoomRef = { id: 'lobby', name: 'Lobby', visibility: 'public' };

export function App() {
  const [session, setSession] = useState<Session>({ kind: 'loading' });
  /** Bumped on every sign-in and sign-out: a late answer about an older session is ignored. */
  const generation = useRef(0);

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
      return (
        <NameScreen
          notice={session.notice}
          onSignedIn={(user) => {
            generation.current += 1;
            setSession({ kind: 'user', user });
          }}
        />
      );
    case 'user':
      return (
        <ChatShell
          key={session.user.id}
          user={session.user}
          onUserChanged={(user) => setSession({ kind: 'user', user })}
          onAuthLost={async () => {
            // Only a definite 401 signs the user out (the socket closed with
            // 1008: logged out or session revoked elsewhere); a server that is
            // down, or a session that still holds, keeps the chat on screen,
            // reconnecting (the answer tells the socket which). The answer only
            // applies to the session it was asked for: after "Sign out" and a
            // quick sign-in, a late 401 must not sign the new session out.
            const asked = generation.current;
            let user: AccountUser | null;
            try {
              user = await getMe();
            } catch {
              return true;
            }
            if (user) return true;
            if (generation.current === asked) {
              setSession({ kind: 'anonymous', notice: 'You were signed out.' });
            }
            return false;
          }}
          onSignOut={async () => {
            try {
              await logout();
            } catch (e) {
              // Unless the session is gone already, the cookie may still be
              // valid: showing the sign-in screen would be a lie.
              if (!(e instanceof ApiError && e.status === 401)) throw e;
            }
            generation.current += 1;
            setSession({ kind: 'anonymous' });
          }}
        />
      );
  }
}

type ShellProps = {
  user: AccountUser;
  onUserChanged: (user: AccountUser) => void;
  /** Resolves whether the user is still signed in. */
  onAuthLost: () => Promise<boolean>;
  /** Rejects when the server did not end the session. */
  onSignOut: () => Promise<void>;
};

function ChatShell(props: ShellProps) {
  const { user, onAuthLost } = props;
  return (
    <ChatProvider me={user} options={{ socket: { onAuthFailure: onAuthLost, onRepeatedFailure: onAuthLost } }}>
      <Shell {...props} />
    </ChatProvider>
  );
}

type Panel = 'none' | 'account' | 'members' | 'search';

const REMOVAL_TEXT: Record<string, string> = {
  kicked: 'You were removed from',
  banned: 'You were banned from',
  left: 'You left',
};

/** The room the address names, else the lobby. */
function roomInAddress(): RoomRef {
  const id = roomFromHash(window.location.hash);
  return id === null || id === LOBBY.id ? LOBBY : { id, name: id };
}

/**
 * A room opened from the address (a reload, a shared link) is joined first:
 * joining is idempotent, makes a public room the user's, and says whether the
 * room exists and may be read, so that the page can say so instead of an
 * empty room.
 */
type Gate = { id: string; state: 'joining' | 'open' } | { id: string; state: 'refused'; message: string };

function initialGate(): Gate | null {
  const room = roomInAddress();
  return room.id === LOBBY.id ? null : { id: room.id, state: 'joining' };
}

function refusal(e: unknown, id: string): string {
  if (e instanceof ApiError && e.status === 404) return `There is no room “${id}”, or it is private and you are not a member.`;
  if (e instanceof ApiError && e.status === 403) return `You cannot open “${id}”: ${e.message}.`;
  return `Could not open “${id}”: ${e instanceof Error ? e.message : 'the server did not answer'}.`;
}

function Shell({ user, onUserChanged, onSignOut }: ShellProps) {
  const [room, setRoom] = useState<RoomRef>(roomInAddress);
  const [panel, setPanelState] = useState<Panel>('none');
  const [drawer, setDrawer] = useState(false);
  const [switcher, setSwitcher] = useState(false);
  const [gate, setGate] = useState<Gate | null>(initialGate);
  const [muted, toggleMuted] = useMutedRooms(user.id);
  /** The search hit opened last: its room shows it (when it is among the loaded messages). */
  const [found, setFound] = useState<{ room: string; seq: number } | null>(null);
  const [theme, toggleTheme] = useTheme();
  /** What had the focus when a panel opened: it gets it back when the panel closes. */
  const panelOpener = useRef<HTMLElement | null>(null);
  const mainRef = useRef<HTMLElement>(null);
  const setPanel = (next: Panel) => {
    if (next !== 'none' && panel === 'none') {
      panelOpener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    }
    if (next === 'none' && panel !== 'none') {
      const opener = panelOpener.current;
      // After the panel is gone from the page.
      setTimeout(() => {
        if (opener?.isConnected) opener.focus();
      }, 0);
    }
    setPanelState(next);
  };
  const [signOut, setSignOut] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const lists = useRoomLists();
  const readMarks = useReadMarks();
  const members = useMembers(room.id, user);
  const search = useSearch();
  const removal = useRemoval();

  const known = lists.joined.find((r) => r.id === room.id) ?? lists.publicRooms.find((r) => r.id === room.id);
  const roomName = (id: string) =>
    (lists.joined.find((r) => r.id === id) ?? lists.publicRooms.find((r) => r.id === id))?.name || id;
  const visibility = known?.visibility ?? room.visibility;
  const { refresh: refreshLists } = lists;

  // The server ended the subscription (kicked, banned, left in another tab):
  // say so (until dismissed or another room is opened), and go back to the
  // lobby if it was the open room (a state adjustment during render, no effect).
  const notice = removal.notice;
  if (notice && notice.room === room.id && room.id !== LOBBY.id) {
    setRoom(LOBBY);
    if (panel === 'members') setPanelState('none');
  }
  // The open room says it in its own view (with "Join again").
  const removedNotice =
    notice && notice.room !== room.id
      ? `${REMOVAL_TEXT[notice.reason] ?? 'You are no longer in'} #${roomName(notice.room)}.`
      : null;
  useEffect(() => {
    if (notice) void refreshLists();
  }, [notice, refreshLists]);

  // The open room is in the address: Back goes to the room before, a reload
  // or a shared link opens it.
  useEffect(() => {
    const hash = hashForRoom(room.id);
    if (window.location.hash === hash) return;
    if (window.location.hash === '' && room.id === LOBBY.id) window.history.replaceState(null, '', hash);
    else window.location.hash = hash;
  }, [room.id]);
  const roomId = room.id;
  useEffect(() => {
    const follow = () => {
      const id = roomFromHash(window.location.hash);
      if (id === null || id === roomId) return;
      setRoom(id === LOBBY.id ? LOBBY : { id, name: id });
      setGate(id === LOBBY.id ? null : { id, state: 'joining' });
    };
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, [roomId]);

  useEffect(() => {
    if (gate?.state !== 'joining') return;
    let cancelled = false;
    joinRoom(gate.id).then(
      (view) => {
        if (cancelled) return;
        setGate({ id: gate.id, state: 'open' });
        setRoom((r) => (r.id === view.id ? { id: view.id, name: view.name || view.id, visibility: view.visibility } : r));
        void refreshLists();
      },
      (e: unknown) => {
        if (!cancelled) setGate({ id: gate.id, state: 'refused', message: refusal(e, gate.id) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [gate, refreshLists]);
  const gated = gate !== null && gate.id === room.id && gate.state !== 'open' ? gate : null;

  const unreadTotal = lists.joined.reduce((n, r) => n + (muted.has(r.id) ? 0 : unreadCount(r, room.id, readMarks)), 0);
  useEffect(() => {
    document.title = documentTitle(unreadTotal);
    const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (icon) icon.href = faviconHref(unreadTotal);
  }, [unreadTotal]);

  // A panel that opens takes the focus (its first control), so that a
  // keyboard user is where the content is.
  useEffect(() => {
    if (panel === 'none') return;
    mainRef.current?.querySelector<HTMLElement>('.side-panel button, .side-panel input')?.focus();
  }, [panel]);

  // Ctrl/Cmd+K from anywhere on the page, even a text field.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setSwitcher(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    if (panel !== 'none') {
      if (panel === 'search') search.close();
      setPanel('none');
    } else if (drawer) {
      setDrawer(false);
      document.getElementById('room-list-button')?.focus();
    }
  };
  const signOutNow = async () => {
    setSignOut({ busy: true });
    try {
      await onSignOut();
    } catch (e) {
      setSignOut({
        busy: false,
        error: `Could not sign out: ${e instanceof Error ? e.message : 'the server did not answer'}`,
      });
    }
  };

  const openRoom = (next: RoomRef) => {
    setRoom(next);
    setGate(null);
    setDrawer(false);
    if (notice) removal.dismiss();
    if (panel === 'members') setPanel('none');
  };

  const drawerButton = (
    <button
      type="button"
      id="room-list-button"
      className="secondary drawer-button"
      aria-controls="room-drawer"
      aria-expanded={drawer}
      onClick={() => setDrawer(!drawer)}
    >
      <span aria-hidden="true">☰</span>
      <span className="visually-hidden">Room list</span>
      {unreadTotal > 0 && (
        <span className="badge">
          {unreadTotal > 99 ? '99+' : unreadTotal}
          <span className="visually-hidden"> unread</span>
        </span>
      )}
    </button>
  );

  return (
    <div className={drawer ? 'app drawer-open' : 'app'} onKeyDown={onKeyDown}>
      <header className="app-header">
        <h1>webchat</h1>
        <ConnectionStatus />
        <SearchBox
          onSearch={(q, here) => {
            void search.run(q, here ? room.id : undefined);
            setPanel('search');
          }}
        />
        <div className="me">
          <span className="signed-in">
            Signed in as <strong><bdi>{user.name}</bdi></strong>
            {user.guest && <span className="muted"> (guest)</span>}
          </span>
          <button
            type="button"
            className="secondary theme-toggle"
            aria-pressed={theme === 'dark'}
            title={theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}
            onClick={toggleTheme}
          >
            <span className="theme-icon" aria-hidden="true">
              ☾
            </span>
            <span className="theme-text">Dark theme</span>
          </button>
          <button
            type="button"
            className="secondary"
            aria-expanded={panel === 'account'}
            onClick={() => setPanel(panel === 'account' ? 'none' : 'account')}
          >
            Account
          </button>
          <button type="button" className="secondary" disabled={signOut.busy} onClick={() => void signOutNow()}>
            Sign out
          </button>
          {signOut.error && (
            <span className="form-error" role="alert">
              {signOut.error}
            </span>
          )}
        </div>
      </header>
      <div className="drawer" id="room-drawer">
        <RoomListView
          activeRoom={room}
          onOpenRoom={openRoom}
          readMarks={readMarks}
          onLeaving={removal.leaving}
          lists={lists}
          muted={muted}
        />
      </div>
      {switcher && (
        <RoomSwitcher
          rooms={[...lists.joined, ...lists.publicRooms.filter((p) => !lists.joined.some((j) => j.id === p.id))]}
          onOpen={(r) => {
            setSwitcher(false);
            openRoom({ id: r.id, name: r.name || r.id, visibility: r.visibility });
          }}
          onClose={() => setSwitcher(false)}
        />
      )}
      {drawer && <div className="drawer-backdrop" aria-hidden="true" onClick={() => setDrawer(false)} />}
      <main className="main" ref={mainRef}>
        <div className="room-column">
          {removedNotice && (
            <div className="banner" role="alert">
              {removedNotice}{' '}
              <button type="button" className="secondary" onClick={removal.dismiss}>
                Dismiss
              </button>
            </div>
          )}
          {gated ? (
            <section className="room" aria-labelledby="room-title">
              <div className="room-header">
                {drawerButton}
                <div className="room-title">
                  <h2 id="room-title">
                    <span aria-hidden="true">#</span>
                    <bdi>{room.id}</bdi>
                  </h2>
                </div>
              </div>
              {gated.state === 'refused' ? (
                <div className="banner" role="alert">
                  {gated.message}{' '}
                  <button type="button" className="secondary" onClick={() => openRoom(LOBBY)}>
                    Go to the lobby
                  </button>
                </div>
              ) : (
                <p className="loading">Opening the room…</p>
              )}
            </section>
          ) : (
            <ChatRoom
              key={room.id}
              roomId={room.id}
              roomName={known?.name || room.name}
              canDeleteOthers={members.moderates && visibility !== 'dm'}
              direct={visibility === 'dm'}
              head={known?.head}
              lastRead={known && 'last_read' in known ? (known.last_read ?? undefined) : undefined}
              topic={known?.topic || undefined}
              highlightSeq={found?.room === room.id ? found.seq : undefined}
              headerStart={drawerButton}
              headerActions={
                <>
                  <button
                    type="button"
                    className="secondary small"
                    aria-pressed={muted.has(room.id)}
                    title="A muted room does not count in the tab's title"
                    onClick={() => toggleMuted(room.id)}
                  >
                    Mute
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    aria-expanded={panel === 'members'}
                    onClick={() => {
                      if (panel !== 'members') void members.refresh();
                      setPanel(panel === 'members' ? 'none' : 'members');
                    }}
                  >
                    Members
                  </button>
                </>
              }
            />
          )}
        </div>
        {panel === 'members' && (
          <MembersPanel
            room={{ ...room, visibility }}
            me={user}
            members={members}
            onClose={() => setPanel('none')}
          />
        )}
        {panel === 'account' && (
          <AccountPanel user={user} onUserChanged={onUserChanged} onClose={() => setPanel('none')} />
        )}
        {panel === 'search' && search.state.query !== null && (
          <SearchResults
            state={search.state}
            roomName={roomName}
            onOpen={(hit) => {
              openRoom({ id: hit.room, name: roomName(hit.room) });
              setFound({ room: hit.room, seq: hit.seq });
            }}
            onMore={() => void search.more()}
            onClose={() => {
              search.close();
              setPanel('none');
            }}
          />
        )}
      </main>
    </div>
  );
}
