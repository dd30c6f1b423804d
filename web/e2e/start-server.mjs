// Starts the real webchat server for the end-to-end tests, on a fixed port
// (WEBCHAT_E2E_PORT, default 18765) with a fresh data folder that is removed
// when the server stops. Playwright's `webServer` runs this and waits for /healthz.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.WEBCHAT_BIN ?? resolve(here, '../../target/debug/webchat');
const port = process.env.WEBCHAT_E2E_PORT ?? '18765';

if (!existsSync(bin)) {
  console.error(`webchat binary not found at ${bin}: run \`cargo build -p webchat\` first (or set WEBCHAT_BIN).`);
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), 'webchat-e2e-'));
// Every test signs in from 127.0.0.1: lift the per-address sign-in limit.
const args = ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, '--sign-ins-per-minute', '10000'];
const child = spawn(bin, args, {
  stdio: 'inherit',
  env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
});

let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  rmSync(dataDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    child.kill('SIGTERM');
    // Give the server a moment for its graceful shutdown, then make sure.
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

child.on('exit', (code, signal) => {
  cleanup();
  process.exit(code ?? (signal ? 0 : 1));
});
