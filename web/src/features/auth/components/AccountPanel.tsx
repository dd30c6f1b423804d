// "Account": turn a guest into an account, list and revoke sessions, and
// (for accounts) manage personal access tokens. A new token's secret is
// shown once.

import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { FormError } from '../../../components/FormError';
import { ApiError } from '../../../lib/api-client';
import { createToken, type CreatedToken } from '../api/create-token';
import { getSessions, type SessionInfo } from '../api/get-sessions';
import { getTokens, type TokenInfo } from '../api/get-tokens';
import type { AccountUser } from '../api/guest-login';
import { register } from '../api/register';
import { revokeSession } from '../api/revoke-session';
import { revokeToken } from '../api/revoke-token';

type Props = {
  user: AccountUser;
  onUserChanged: (user: AccountUser) => void;
  onClose?: () => void;
};

const errorText = (e: unknown, fallback: string) => (e instanceof Error ? e.message : fallback);

function formatDate(ts: string): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : d.toLocaleString();
}

export function AccountPanel({ user, onUserChanged, onClose }: Props) {
  const titleId = useId();
  return (
    <section className="side-panel" aria-labelledby={titleId}>
      <div className="panel-header">
        <h2 id={titleId}>Account</h2>
        {onClose && (
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        )}
      </div>
      <p className="muted">
        {user.guest ? (
          <>
            Signed in as guest <strong><bdi>{user.name}</bdi></strong>.
          </>
        ) : (
          <>
            Signed in as <strong><bdi>{user.name}</bdi></strong> (@<bdi>{user.username ?? user.name}</bdi>)
            {user.admin ? ', administrator' : ''}.
          </>
        )}
      </p>
      {user.guest && <UpgradeForm onUserChanged={onUserChanged} />}
      <Sessions />
      {!user.guest && <Tokens />}
    </section>
  );
}

function UpgradeForm({ onUserChanged }: { onUserChanged: (user: AccountUser) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { title: useId(), user: useId(), pass: useId() };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (username.trim() === '' || password === '') {
      setError('Please enter a username and a password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onUserChanged(await register(username, password));
    } catch (err) {
      setError(errorText(err, 'Could not create the account.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel-form" onSubmit={onSubmit} noValidate aria-labelledby={ids.title}>
      <h3 id={ids.title}>Create account</h3>
      <p className="muted">Keep your messages and sign in from anywhere.</p>
      <label htmlFor={ids.user}>Username</label>
      <input
        id={ids.user}
        autoComplete="username"
        autoCapitalize="none"
        value={username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <label htmlFor={ids.pass}>Password</label>
      <input
        id={ids.pass}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button type="submit" disabled={busy}>
        Create account
      </button>
      <FormError message={error} />
    </form>
  );
}

/** Loads a list on mount; `reload` after a change. */
function useList<T>(load: () => Promise<T[]>) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setItems(await load());
      setError(null);
    } catch (e) {
      setError(errorText(e, 'Could not load.'));
    }
  }, [load]);
  useEffect(() => {
    let cancelled = false;
    load().then(
      (list) => {
        if (!cancelled) setItems(list);
      },
      (e: unknown) => {
        if (!cancelled) setError(errorText(e, 'Could not load.'));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [load]);
  return { items, error, setError, reload };
}

function Sessions() {
  const { items, error, setError, reload } = useList<SessionInfo>(getSessions);
  const titleId = useId();
  const revoke = async (s: SessionInfo) => {
    try {
      await revokeSession(s.id);
      // Revoking this browser's own session signs it out: its socket closes with 1008.
      await reload();
    } catch (e) {
      setError(errorText(e, 'Could not revoke the session.'));
    }
  };
  return (
    <div className="panel-section">
      <h3 id={titleId}>Sessions</h3>
      {items === null && !error && <p className="muted">Loading…</p>}
      <ul className="item-list" aria-labelledby={titleId}>
        {items?.map((s) => (
          <li key={s.id}>
            <span>
              {s.name || 'Browser session'}
              {s.current && <strong> (this browser)</strong>}
              <span className="muted"> since {formatDate(s.created_at)}</span>
            </span>
            <button
              type="button"
              className="link danger"
              aria-label={`Revoke ${s.current ? 'this browser’s session' : `session ${s.id}`}`}
              onClick={() => void revoke(s)}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <FormError message={error} />
    </div>
  );
}

function Tokens() {
  const { items, error, setError, reload } = useList<TokenInfo>(getTokens);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const ids = { title: useId(), name: useId() };

  const onCreate = async (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '') return;
    try {
      const token = await createToken(name);
      setCreated(token);
      setCopied(false);
      setName('');
      await reload();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : errorText(err, 'Could not create the token.'));
    }
  };

  const revoke = async (t: TokenInfo) => {
    try {
      await revokeToken(t.id);
      if (created?.id === t.id) setCreated(null);
      await reload();
    } catch (e) {
      setError(errorText(e, 'Could not revoke the token.'));
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <div className="panel-section">
      <h3 id={ids.title}>Access tokens</h3>
      <p className="muted">For bots and scripts: send as “Authorization: Bearer …”.</p>
      <ul className="item-list" aria-labelledby={ids.title}>
        {items?.map((t) => (
          <li key={t.id}>
            <span>
              {t.name}
              <span className="muted"> created {formatDate(t.created_at)}</span>
            </span>
            <button
              type="button"
              className="link danger"
              aria-label={`Revoke token ${t.name}`}
              onClick={() => void revoke(t)}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
      {items?.length === 0 && <p className="muted">No tokens yet.</p>}
      {created && (
        <div className="new-token" role="group" aria-label="New token">
          <p>
            Token <strong>{created.name}</strong> — copy it now, it will not be shown again:
          </p>
          <code className="token">{created.token}</code>
          <button type="button" className="secondary" onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      )}
      <form className="panel-form" onSubmit={onCreate}>
        <label htmlFor={ids.name}>Token name</label>
        <div className="row">
          <input id={ids.name} value={name} maxLength={32} onChange={(e) => setName(e.target.value)} />
          <button type="submit">Create token</button>
        </div>
      </form>
      <FormError message={error} />
    </div>
  );
}
