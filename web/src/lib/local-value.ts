// Small values kept in the browser (localStorage): drafts, the theme, the
// last open room. Storage may be unavailable (private mode, quota, a test
// environment), and then nothing is kept, which is never an error.

const PREFIX = 'webchat:';

export function readLocal(key: string): string | null {
  try {
    return window.localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

/** `null` or '' removes the value. */
export function writeLocal(key: string, value: string | null): void {
  try {
    if (value === null || value === '') window.localStorage.removeItem(PREFIX + key);
    else window.localStorage.setItem(PREFIX + key, value);
  } catch {
    // Not kept: the page works the same, it only forgets.
  }
}
