// Shared steps of the end-to-end tests: unique names, signing in as a guest,
// waiting for the connection, sending and finding messages.

import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

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

export function message(page: Page, text: string) {
  return page.getByRole('log', { name: 'Messages' }).getByRole('article').filter({ hasText: text });
}
