import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  // Drafts, theme and the room in the address are kept by the page; each test starts without them.
  window.localStorage.clear();
  window.history.replaceState(null, '', '/');
  delete document.documentElement.dataset.theme;
});

// jsdom lays nothing out: every element is 0×0. The message log is
// virtualised and renders the rows that fit its height, so give elements a
// size (a phone-sized box) for it to fill.
for (const [prop, value] of [
  ['clientHeight', 740],
  ['clientWidth', 360],
] as const) {
  Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value });
}
