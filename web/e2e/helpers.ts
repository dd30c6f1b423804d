// Shared steps of the end-to-end tests: unique names, signing in as a guest,
// waiting for the connection, sending and finding messages.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  expect,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
  type WebSocketRoute,
} from '@playwright/test';

const require = createRequire(import.meta.url);

export const T = { timeout: 15_000 };

let counter = 0;
/** Unique per run; valid as a username too: a-z, 0-9, '-', starting with a letter. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export async function connected(page: Page): Promise<void> {
  await expect(page.getByRole('status')).toHaveText('Connected', T);
  await expect(page.getByRole('log', { name: 'Messages' })).toBeVisible(T);
}

/** A new browser context signed in as a guest named `name`, chat open.
 *  `prepare` runs on the context first (e.g. to route its WebSocket). */
export async function join(
  browser: Browser,
  name: string,
  prepare?: (context: BrowserContext) => Promise<void>,
): Promise<Page> {
  const context = await browser.newContext();
  await prepare?.(context);
  const page = await context.newPage();
  await page.goto('/');
  await page.getByRole('textbox', { name: 'Display name' }).fill(name);
  await page.getByRole('button', { name: 'Join chat' }).click();
  await connected(page);
  return page;
}

/**
 * `join`, with the page's WebSocket through a route the test controls: while
 * `network.down` is true new sockets are refused; `sockets` are those that
 * reached the server (close one to drop the connection for certain).
 */
export async function joinBehindSwitch(
  browser: Browser,
  name: string,
): Promise<{ page: Page; network: { down: boolean }; sockets: WebSocketRoute[] }> {
  const network = { down: false };
  const sockets: WebSocketRoute[] = [];
  const page = await join(browser, name, (context) =>
    context.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
      if (network.down) {
        void ws.close({ code: 1013, reason: 'test: network down' });
        return;
      }
      ws.connectToServer();
      sockets.push(ws);
    }),
  );
  return { page, network, sockets };
}

/** Waits until `page` lists `name` as online in the open room: that user's
 *  subscription is live, so what `page` does from now on reaches them.
 *  `count`: how many users of that name (guests' names are not unique). */
export async function seesOnline(page: Page, name: string, count = 1): Promise<void> {
  // The list sits in a collapsed <details>: count it, visible or not.
  await expect(page.locator('.online-list li').filter({ hasText: name })).toHaveCount(count, T);
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

export const PASSWORD = 'correct horse 42';

/** A new browser context with a new account `username`, chat open. */
export async function register(browser: Browser, username: string, options: BrowserContextOptions = {}): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await page.goto('/');
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await connected(page);
  return page;
}

/** Creates a room from the sidebar's "New room" dialog; the room opens. */
export async function createRoom(page: Page, name: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Rooms' });
  await nav.getByRole('button', { name: 'New room' }).click();
  await nav.getByRole('textbox', { name: 'New room' }).fill(name);
  await nav.getByRole('button', { name: 'Create room' }).click();
  await expect(page.getByRole('heading', { level: 2, name })).toBeVisible(T);
  // The address follows (names from `unique` are their own ids); page.url()
  // is only current once it has.
  await expect(page).toHaveURL(new RegExp(`#/room/${name}$`), T);
}

/** The serious and critical axe-core violations on the page (axe injected from node_modules). */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, not added as a <script>: the
  // page's Content-Security-Policy refuses inline scripts, as it should.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<AxeResults> } }).axe;
    type AxeResults = { violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] };
    const results = await axe.run(document);
    return results.violations.map((v) => ({ ...v, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).join(', ')}`);
}

export function message(page: Page, text: string) {
  return page.getByRole('log', { name: 'Messages' }).getByRole('article').filter({ hasText: text });
}
