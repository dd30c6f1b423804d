// The colour theme: the system's (prefers-color-scheme) until the user picks
// one with the toggle, which is then kept in the browser. The CSS follows
// `color-scheme` on the root (light-dark() colours), so the page has the
// system's theme before any script runs; the attribute only overrides it.

import { useEffect, useState } from 'react';
import { readLocal, writeLocal } from '../lib/local-value';

export type Theme = 'light' | 'dark';

const KEY = 'theme';

function systemTheme(): Theme {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches
    ? 'dark'
    : 'light';
}

export function storedTheme(): Theme | null {
  const value = readLocal(KEY);
  return value === 'light' || value === 'dark' ? value : null;
}

/** The theme in use and a toggle that keeps the other one. */
export function useTheme(): [Theme, () => void] {
  const [chosen, setChosen] = useState<Theme | null>(storedTheme);
  const [system, setSystem] = useState<Theme>(systemTheme);

  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const changed = () => setSystem(query.matches ? 'dark' : 'light');
    query.addEventListener('change', changed);
    return () => query.removeEventListener('change', changed);
  }, []);

  useEffect(() => {
    const root = document.documentElement;
    if (chosen) root.dataset.theme = chosen;
    else delete root.dataset.theme;
  }, [chosen]);

  const theme = chosen ?? system;
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    writeLocal(KEY, next);
    setChosen(next);
  };
  return [theme, toggle];
}
