// Starts the real webchat server for the end-to-end tests, on a fixed port
// (WEBCHAT_E2E_PORT, default 18765) with a fresh data folder that is removed
// when the server stops. Playwright's `webServer` runs this and waits for /healthz.
//
// The binary embeds the web/dist it was compiled with, which may be older
// than the client under test (cargo is not rebuilt for every `npm run
// build`). So by default the page is served by `vite preview` from the
// current web/dist on WEBCHAT_E2E_PORT, proxying /api, /ws and /healthz to
// the server on the next port, the same way `npm run dev` does (vite.config.ts).
// WEBCHAT_E2E_EMBEDDED=1 tests the binary's own embedded client instead;
// WEBCHAT_WEB_ROOT serves another web folder's dist (screenshots of an older build).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.WEBCHAT_BIN ?? resolve(here, '../../target/debug/webchat');
const port = Number(process.env.WEBCHAT_E2E_PORT ?? '18765');
const embedded = process.env.WEBCHAT_E2E_EMBEDDED === '1';
const serverPort = embedded ? port : port + 1;

if (!existsSync(bin)) {
  console.error(`webchat binary not found at ${bin}: run \`cargo build -p webchat\` first (or set WEBCHAT_BIN).`);
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), 'webchat-e2e-'));
// Every test signs in from 127.0.0.1: lift the per-address sign-in limit.
const args = ['serve', '--addr', `127.0.0.1:${serverPort}`, '--data-dir', dataDir, '--sign-ins-per-minute', '10000'];
const child = spawn(bin, args, {
  stdio: 'inherit',
  env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
});

let front;
if (!embedded) {
  // vite.config.ts reads the backend from the environment when it is loaded.
  process.env.WEBCHAT_BACKEND = `http://127.0.0.1:${serverPort}`;
  const { preview } = await import('vite');
  front = await preview({
    root: process.env.WEBCHAT_WEB_ROOT ?? resolve(here, '..'),
    // The proxy reports every socket a closing test context resets: noise.
    logLevel: 'silent',
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  });
}

let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  rmSync(dataDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    void front?.close();
    child.kill('SIGTERM');
    // Give the server a moment for its graceful shutdown, then make sure.
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

child.on('exit', (code, signal) => {
  cleanup();
  void front?.close();
  process.exit(code ?? (signal ? 0 : 1));
});
