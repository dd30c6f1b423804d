// The first screen: pick a display name and join as a guest.

import { useState, type FormEvent } from 'react';
import type { User } from '../../../types/api';
import { guestLogin } from '../api/guest-login';

type Props = {
  onSignedIn: (user: User) => void;
  login?: (name: string) => Promise<User>;
};

export const MAX_NAME_CHARS = 32;

export function NameScreen({ onSignedIn, login = guestLogin }: Props) {
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
      <form className="name-card" onSubmit={onSubmit} noValidate>
        <h1>webchat</h1>
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
    </main>
  );
}
