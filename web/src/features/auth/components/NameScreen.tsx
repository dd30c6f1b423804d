// The first screen: join as a guest with a display name, or sign in to (or
// create) an account with a username and password.

import { useState, type FormEvent } from 'react';
import { guestLogin, type AccountUser } from '../api/guest-login';
import { login as accountLogin } from '../api/login';
import { register } from '../api/register';

type Props = {
  onSignedIn: (user: AccountUser) => void;
  /** Guest sign-in (injectable for tests). */
  login?: (name: string) => Promise<AccountUser>;
  signIn?: (username: string, password: string) => Promise<AccountUser>;
  signUp?: (username: string, password: string) => Promise<AccountUser>;
  /** Why the user is here again (e.g. the session was revoked elsewhere). */
  notice?: string;
};

export const MAX_NAME_CHARS = 32;

export function NameScreen({
  onSignedIn,
  login = guestLogin,
  signIn = accountLogin,
  signUp = register,
  notice,
}: Props) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '') {
      setError('Please enter a display name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await login(trimmed);
      onSignedIn(user);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not join.');
      setBusy(false);
    }
  };

  return (
    <main className="name-screen">
      <div className="name-cards">
        {notice && (
          <p className="notice-banner" role="status">
            {notice}
          </p>
        )}
        <form className="name-card" onSubmit={onSubmit} noValidate aria-labelledby="guest-title">
          <h1 id="guest-title">webchat</h1>
          <p>Choose a display name to join the chat.</p>
          <label htmlFor="display-name">Display name</label>
          <input
            id="display-name"
            name="name"
            autoComplete="nickname"
            maxLength={MAX_NAME_CHARS}
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoFocus
          />
          <button type="submit" disabled={busy}>
            Join chat
          </button>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
        </form>
        <AccountForm signIn={signIn} signUp={signUp} onSignedIn={onSignedIn} />
      </div>
    </main>
  );
}

type AccountFormProps = {
  signIn: (username: string, password: string) => Promise<AccountUser>;
  signUp: (username: string, password: string) => Promise<AccountUser>;
  onSignedIn: (user: AccountUser) => void;
};

/** One form, two actions: Enter (and "Sign in") signs in; "Create account" registers. */
function AccountForm({ signIn, signUp, onSignedIn }: AccountFormProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const go = async (action: 'sign-in' | 'register') => {
    if (username.trim() === '' || password === '') {
      setError('Please enter a username and a password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await (action === 'register' ? signUp : signIn)(username, password);
      onSignedIn(user);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not sign in.');
      setBusy(false);
    }
  };

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void go('sign-in');
  };

  return (
    <form className="name-card" onSubmit={onSubmit} noValidate aria-labelledby="account-title">
      <h2 id="account-title">Your account</h2>
      <p>Sign in, or create an account to keep your name and history.</p>
      <label htmlFor="account-username">Username</label>
      <input
        id="account-username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        value={username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <label htmlFor="account-password">Password</label>
      <input
        id="account-password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <div className="row">
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void go('register')}>
          Create account
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
