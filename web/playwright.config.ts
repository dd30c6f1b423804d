// End-to-end tests against the real Rust server (`../target/debug/webchat`).
// Prerequisites: `cargo build -p webchat` and `npm run build` (the server
// serves web/dist at `/`). Chromium is Debian's (/usr/bin/chromium); never run
// `npx playwright install`.
//
// WEBCHAT_E2E_PORT picks the server port (default 18765). WEBCHAT_E2E_PREVIEW=1
// serves web/dist with `vite preview` on the next port instead, proxying /api
// to the server (for a server build that cannot find web/dist).

import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.WEBCHAT_E2E_PORT ?? 18765);
const SERVER_URL = `http://127.0.0.1:${PORT}`;
const VIA_PREVIEW = process.env.WEBCHAT_E2E_PREVIEW === '1';
const PREVIEW_URL = `http://127.0.0.1:${PORT + 1}`;

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  timeout: 30_000,
  globalTimeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    baseURL: VIA_PREVIEW ? PREVIEW_URL : SERVER_URL,
    browserName: 'chromium',
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: 'node e2e/start-server.mjs',
      url: `${SERVER_URL}/healthz`,
      env: { WEBCHAT_E2E_PORT: String(PORT) },
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      // SIGTERM lets start-server.mjs stop the server and remove its data folder.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5000 },
    },
    ...(VIA_PREVIEW
      ? [
          {
            command: `node node_modules/vite/bin/vite.js preview --host 127.0.0.1 --port ${PORT + 1} --strictPort`,
            url: `${PREVIEW_URL}/`,
            env: { WEBCHAT_BACKEND: SERVER_URL },
            reuseExistingServer: false,
            timeout: 30_000,
            gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5000 },
          },
        ]
      : []),
  ],
});
