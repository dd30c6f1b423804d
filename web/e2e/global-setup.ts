// Fails early, with a clear message, when the page under test is not the built web client.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FullConfig } from '@playwright/test';

export default async function globalSetup(config: FullConfig) {
  const dist = resolve(config.rootDir, '..', 'dist', 'index.html');
  if (!existsSync(dist)) {
    throw new Error('web/dist is missing: run `npm run build` before `npm run e2e`.');
  }
  const baseURL = config.projects[0]?.use.baseURL;
  if (!baseURL) return;
  const res = await fetch(baseURL, { headers: { Accept: 'text/html' } });
  const html = await res.text();
  if (!html.includes('id="root"')) {
    throw new Error(
      `${baseURL} does not serve the built web client (web/dist). The server answered:\n${html.slice(0, 300)}\n` +
        'Build the web client (npm run build) and the server (cargo build -p webchat), then run again.',
    );
  }
}
