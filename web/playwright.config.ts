// End-to-end tests against the real Rust server (`../target/debug/webchat`).
// Prerequisites: `cargo build -p webchat` and `npm run build` (the server
// serves web/dist at `/`). Chromium is Debian's (/usr/bin/chromium); never run
// `npx playwright install`.
//
// WEBCHAT_E2E_PORT picks the server port (default 18765).

import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.WEBCHAT_E2E_PORT ?? 18765);
const SERVER_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  timeout: 30_000,
  globalTimeout: 600_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    baseURL: SERVER_URL,
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
  ],
});
