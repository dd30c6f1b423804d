// Regenerates the screenshots of the main screens into docs/screenshots/:
// desktop (1280×800) and phone (360×740), light and dark, a busy room with
// Markdown, and search. Starts the real server (../target/debug/webchat, or
// WEBCHAT_BIN) with a fresh data folder on a free port through
// e2e/start-server.mjs, which serves the current web/dist; fills it with
// three accounts and a conversation over the REST API; drives Debian's
// Chromium. Needs `npm run build` first.
//
//   node scripts/screenshots.mjs [--out DIR] [--prefix NAME-]

import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const here = dirname(fileURLToPath(import.meta.url));
const argValue = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const out = resolve(argValue('--out', resolve(here, '../../docs/screenshots')));
const prefix = argValue('--prefix', '');
mkdirSync(out, { recursive: true });

/** A free port whose successor is free too (start-server.mjs puts the server there). */
async function freePort() {
  const take = (port) =>
    new Promise((ok, fail) => {
      const s = createServer();
      s.once('error', fail);
      s.listen(port, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => ok(p));
      });
    });
  for (;;) {
    const port = await take(0);
    if (port < 65000 && (await take(port + 1).then(() => true, () => false))) return port;
  }
}

async function waitFor(url, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer`);
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn('node', [resolve(here, '../e2e/start-server.mjs')], {
  stdio: 'inherit',
  env: { ...process.env, WEBCHAT_E2E_PORT: String(port) },
});
const stop = () => server.kill('SIGTERM');
process.on('exit', stop);

const browser = await chromium.launch({
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
});

try {
  await waitFor(`http://127.0.0.1:${port + 1}/healthz`);
  await waitFor(`${base}/`);
  const PASSWORD = 'correct horse 42';
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  let nonce = 0;

  /** A signed-in API session for `username` (its own cookie jar). */
  async function account(username) {
    const context = await browser.newContext({ baseURL: base });
    const res = await context.request.post('/api/v1/auth/register', { data: { username, password: PASSWORD } });
    if (!res.ok()) throw new Error(`register ${username}: ${res.status()} ${await res.text()}`);
    const api = {
      post: async (path, data) => {
        const r = await context.request.post(`/api/v1${path}`, { data, headers: { Origin: base } });
        if (!r.ok()) throw new Error(`${path}: ${r.status()} ${await r.text()}`);
        return r;
      },
      say: async (room, body) => {
        nonce += 1;
        await api.post(`/rooms/${room}/messages`, { body, nonce: `shot-${nonce}` });
        await sleep(120); // within the per-user rate
      },
      close: () => context.close(),
    };
    return api;
  }

  const ada = await account('ada');
  const grace = await account('grace');
  const linus = await account('linus');
  for (const who of [ada, grace, linus]) await who.post('/rooms/lobby/join', {});
  await ada.post('/rooms', { id: 'design', name: 'design', visibility: 'public' });
  await ada.post('/rooms/design/topic', { topic: 'Shipping the new web client — reviews, screenshots, release notes' });
  await grace.post('/rooms/design/join', {});
  await linus.post('/rooms/design/join', {});
  await ada.post('/rooms', { id: 'random', name: 'random', visibility: 'public' });
  await grace.post('/rooms/random/join', {});
  await linus.post('/rooms/random/join', {});

  await ada.say('design', 'Morning! The **dark theme** is in — try it with the toggle in the header.');
  await ada.say('design', 'It follows your system setting until you pick one.');
  await grace.say('design', '@ada looks great. Two things from the review:\n\n1. the code block in ~~#42~~ #43 should scroll\n2. links need `rel="noopener"`');
  await linus.say('design', 'Both done, see https://example.com/pull/43 and the [spec](https://example.com/spec#6).');
  await linus.say('design', '```\nfn main() {\n    println!("a long line that is wider than the message bubble, so the block scrolls sideways instead of wrapping");\n}\n```');
  await ada.say('design', '> the code block should scroll\n\nConfirmed on my phone too. Raw HTML stays text: <script>alert(1)</script>');
  await grace.say('design', 'Shipping it then. @linus can you write the release notes?');
  await linus.say('design', 'On it — *after* lunch.');
  await grace.say('lobby', 'Welcome to webchat, everyone!');
  await linus.say('lobby', 'Release notes are in #design.');
  await grace.say('random', 'Anyone for coffee?');
  await linus.say('random', 'Yes!');

  const shots = [
    { name: 'desktop-light', viewport: { width: 1280, height: 800 }, scheme: 'light', room: 'design' },
    { name: 'desktop-dark', viewport: { width: 1280, height: 800 }, scheme: 'dark', room: 'design' },
    { name: 'phone-light', viewport: { width: 360, height: 740 }, scheme: 'light', room: 'design' },
    { name: 'phone-dark', viewport: { width: 360, height: 740 }, scheme: 'dark', room: 'design' },
    { name: 'phone-rooms', viewport: { width: 360, height: 740 }, scheme: 'light', room: 'design', drawer: true },
    { name: 'busy-room-markdown', viewport: { width: 1280, height: 1000 }, scheme: 'light', room: 'design' },
    { name: 'search', viewport: { width: 1280, height: 800 }, scheme: 'light', room: 'lobby', search: 'release' },
  ];
  for (const shot of shots) {
    const context = await browser.newContext({ baseURL: base, viewport: shot.viewport, colorScheme: shot.scheme });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Username' }).fill('ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
    if (shot.room !== 'lobby') {
      await page.goto(`/#/room/${shot.room}`);
      // An older client has no room addresses: open it from the list.
      const heading = page.getByRole('heading', { level: 2, name: shot.room });
      if (!(await heading.isVisible().catch(() => false))) {
        await page.waitForTimeout(500);
        if (!(await heading.isVisible().catch(() => false))) {
          const button = page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: new RegExp(`^${shot.room}`) });
          if (await button.isVisible().catch(() => false)) await button.click();
        }
      }
    }
    await page.getByRole('log', { name: 'Messages' }).getByRole('article').first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(600);
    if (shot.drawer) await page.getByRole('button', { name: 'Room list' }).click().catch(() => {});
    if (shot.search) {
      await page.getByRole('textbox', { name: 'Search', exact: true }).fill(shot.search);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('region', { name: 'Search results' }).getByRole('button').first().waitFor({ timeout: 10_000 });
    }
    // Away from the messages: a hovered message shows its action toolbar.
    await page.mouse.move(1, 1);
    await page.waitForTimeout(300);
    const file = resolve(out, `${prefix}${shot.name}.png`);
    await page.screenshot({ path: file, fullPage: false });
    console.log(`wrote ${file}`);
    await context.close();
  }
  await ada.close();
  await grace.close();
  await linus.close();
} finally {
  await browser.close();
  stop();
}
