// The client as a product (issue 10): Markdown, themes and accessibility,
// the timeline, the phone layout, and state that survives a reload.

import { expect, test, type Page } from '@playwright/test';

import {
  T,
  axeViolations,
  connected,
  createRoom,
  join,
  joinBehindSwitch,
  message,
  register,
  send,
  unique,
} from './helpers.js';

const log = (page: Page) => page.getByRole('log', { name: 'Messages' });
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });

test.describe('rendering', () => {
  test('Markdown renders as elements, links open safely, markup payloads stay text', async ({ browser }) => {
    const page = await join(browser, unique('md'));
    await createRoom(page, unique('md-room'));
    const tag = unique('t');
    await send(page, `${tag} **bold** _it_ ~~gone~~ \`code\` see https://example.com/a and [docs](https://example.org/d)`);
    await send(page, `${tag}-block\n\`\`\`\n${'x'.repeat(400)}\n\`\`\``);
    await send(page, `${tag}-xss <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>b</b>`);

    const first = message(page, `${tag} `).first();
    await expect(first.locator('strong')).toHaveText('bold', T);
    await expect(first.locator('em')).toHaveText('it');
    await expect(first.locator('del')).toHaveText('gone');
    const links = first.getByRole('link');
    await expect(links).toHaveCount(2);
    for (const link of await links.all()) {
      await expect(link).toHaveAttribute('target', '_blank');
      await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    }
    await expect(first.getByRole('link', { name: 'docs' })).toHaveAttribute('href', 'https://example.org/d');

    const pre = message(page, `${tag}-block`).locator('pre');
    const style = await pre.evaluate((el) => {
      const s = getComputedStyle(el);
      return { font: s.fontFamily, overflow: s.overflowX, scrolls: el.scrollWidth > el.clientWidth };
    });
    expect(style.font).toMatch(/mono/i);
    expect(style.overflow).toBe('auto');
    expect(style.scrolls).toBe(true);

    const xss = message(page, `${tag}-xss`);
    await expect(xss).toContainText('<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>b</b>');
    await expect(xss.locator('script, img, b')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.context().close();
  });

  test('a mention of me stands out more than a mention of someone else', async ({ browser }) => {
    const ann = unique('ann');
    const annPage = await register(browser, ann);
    const bob = await join(browser, unique('bob'));
    const text = unique('ping');
    await send(bob, `${text} @${ann} and @someone-else`);
    const mine = message(annPage, text);
    await expect(mine.locator('.mention-me')).toHaveText(`@${ann}`, T);
    await expect(mine.locator('.mention:not(.mention-me)')).toHaveText('@someone-else');
    await annPage.context().close();
    await bob.context().close();
  });
});

test.describe('themes and access', () => {
  test('the dark theme follows the system, the toggle is kept, and the edit box is readable in both', async ({
    browser,
  }) => {
    const context = await browser.newContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto('/');
    const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    expect(luminance(await bg())).toBeLessThan(60);
    await page.getByRole('textbox', { name: 'Display name' }).fill(unique('dark'));
    await page.getByRole('button', { name: 'Join chat' }).click();
    await connected(page);

    const text = unique('edit me');
    await send(page, text);
    for (const theme of ['dark', 'light']) {
      if (theme === 'light') {
        await page.getByRole('button', { name: 'Dark theme' }).click();
        await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'false');
        expect(luminance(await bg())).toBeGreaterThan(200);
      }
      await message(page, text).getByRole('button', { name: 'Edit message' }).click();
      const box = page.getByRole('textbox', { name: 'Edit text', exact: true });
      const colors = await box.evaluate((el) => {
        const s = getComputedStyle(el);
        return { fg: s.color, bg: s.backgroundColor };
      });
      expect(Math.abs(luminance(colors.fg) - luminance(colors.bg))).toBeGreaterThan(120);
      await box.press('Escape');
    }
    // Kept in the browser: still light after a reload, though the system is dark.
    await page.reload();
    await connected(page);
    expect(luminance(await bg())).toBeGreaterThan(200);
    await context.close();
  });

  test('axe finds no serious or critical violation: sign-in, a busy room, the phone layout, light and dark', async ({
    browser,
  }) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ colorScheme });
      const page = await context.newPage();
      await page.goto('/');
      await expect(page.getByRole('textbox', { name: 'Display name' })).toBeVisible(T);
      expect(await axeViolations(page), `sign-in, ${colorScheme}`).toEqual([]);
      await context.close();
    }

    const alice = await register(browser, unique('axa'));
    const bob = await join(browser, unique('axb'));
    const room = unique('busy');
    await createRoom(alice, room);
    await alice.getByRole('button', { name: 'Members' }).click();
    const roomId = new URL(alice.url()).hash;
    await bob.goto(`/${roomId}`);
    await connected(bob);
    await send(bob, 'Hello **team**, see https://example.com and `npm test`');
    await send(alice, `> quoted\n\n- one\n- two\n\n\`\`\`\nfn main() {}\n\`\`\``);
    await send(bob, `@${'axa'} a mention`);
    await expect(log(alice).getByRole('article')).toHaveCount(3, T);
    expect(await axeViolations(alice), 'busy room, light').toEqual([]);
    await alice.getByRole('button', { name: 'Dark theme' }).click();
    expect(await axeViolations(alice), 'busy room, dark').toEqual([]);

    await bob.setViewportSize({ width: 360, height: 740 });
    expect(await axeViolations(bob), 'phone').toEqual([]);
    await bob.getByRole('button', { name: 'Room list' }).click();
    expect(await axeViolations(bob), 'phone, room list open').toEqual([]);
    await alice.context().close();
    await bob.context().close();
  });

  test('keyboard: Escape closes a panel and gives the focus back, Up edits the last message, the box grows', async ({
    browser,
  }) => {
    const page = await join(browser, unique('kb'));
    await createRoom(page, unique('kb-room'));
    const members = page.getByRole('button', { name: 'Members' });
    await members.click();
    await expect(page.getByRole('region', { name: 'Members' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('region', { name: 'Members' })).toHaveCount(0);
    await expect(members).toBeFocused();

    const text = unique('typo');
    await send(page, text);
    await expect(message(page, text)).not.toHaveAttribute('data-pending', 'true', T);
    const box = composer(page);
    await box.press('ArrowUp');
    const edit = page.getByRole('textbox', { name: 'Edit text', exact: true });
    await expect(edit).toBeFocused();
    await expect(edit).toHaveValue(text);
    await edit.press('Escape');

    const before = (await box.boundingBox())!.height;
    await box.fill('one\ntwo\nthree\nfour');
    const after = (await box.boundingBox())!.height;
    expect(after).toBeGreaterThan(before + 30);
    await box.fill('x\n'.repeat(60));
    expect((await box.boundingBox())!.height).toBeLessThan(200);
    await box.fill('');

    // Ctrl+K: the room switcher.
    await page.keyboard.press('Control+k');
    const switcher = page.getByRole('dialog', { name: 'Switch room' });
    await switcher.getByRole('textbox', { name: 'Room name' }).fill('lobb');
    await page.keyboard.press('Enter');
    await expect(switcher).toHaveCount(0);
    await expect(page.getByRole('heading', { level: 2, name: 'Lobby' })).toBeVisible(T);
    await page.context().close();
  });
});

test.describe('timeline', () => {
  test('day separator, grouping, New messages divider, Jump to latest, sending scrolls down', async ({ browser }) => {
    const alice = await join(browser, unique('tla'));
    const bob = await join(browser, unique('tlb'));
    const room = unique('tl');
    await createRoom(alice, room);
    const hash = new URL(alice.url()).hash;
    await bob.goto(`/${hash}`);
    await connected(bob);
    await send(alice, 'first of mine');
    await send(alice, 'second of mine');
    await expect(log(alice).getByRole('separator', { name: 'Today' })).toHaveCount(1, T);
    // The second is grouped under the first: no avatar or visible name of its own.
    await expect(message(bob, 'second of mine')).toHaveClass(/continued/, T);
    await expect(message(bob, 'first of mine').locator('.avatar')).toHaveCount(1);
    await expect(message(bob, 'second of mine').locator('.avatar')).toHaveCount(0);
    const time = message(bob, 'first of mine').locator('time');
    await expect(time).toHaveAttribute('title', /^\w+day \d+ \w+ \d{4} at \d\d:\d\d$/);

    // Bob has read up to here (read markers go out after a second); he goes
    // to the lobby, alice writes more, bob comes back to the divider.
    await bob.waitForTimeout(2000);
    await bob.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'Lobby', exact: true }).click();
    await expect(bob.getByRole('heading', { level: 2, name: 'Lobby' })).toBeVisible(T);
    for (let i = 0; i < 40; i++) await send(alice, `later ${i}\nline two`);
    await bob.reload(); // the room list knows bob's read position
    await connected(bob);
    await bob.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: new RegExp(`^${room}`) }).click();
    const divider = log(bob).getByRole('separator', { name: 'New messages' });
    await expect(divider).toHaveCount(1, T);
    // The next row of the log (rows are wrapped for the virtualiser).
    const next = await divider.evaluate((el) => el.parentElement?.nextElementSibling?.textContent ?? '');
    expect(next).toContain('later 0');

    // Scrolled up, a new message shows as a count on "Jump to latest".
    await log(bob).evaluate((el) => (el.scrollTop = 0));
    await log(bob).dispatchEvent('scroll');
    const jump = bob.getByRole('button', { name: /^Jump to latest/ });
    await expect(jump).toBeVisible(T);
    await send(alice, 'while you were up');
    await expect(jump).toHaveText('Jump to latest (1 new)', T);
    await jump.click();
    await expect(message(bob, 'while you were up')).toBeInViewport(T);
    await expect(jump).toHaveCount(0);

    // Scrolled up again, sending brings bob to his message.
    await log(bob).evaluate((el) => (el.scrollTop = 0));
    await log(bob).dispatchEvent('scroll');
    await expect(jump).toBeVisible(T);
    await send(bob, 'my own reply');
    await expect(message(bob, 'my own reply')).toBeInViewport(T);
    await alice.context().close();
    await bob.context().close();
  });
});

test.describe('phone layout', () => {
  test('at 360×740 the room list is a drawer, the log has most of the height, panels are full-screen', async ({
    browser,
  }) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Display name' }).fill(unique('phone'));
    await page.getByRole('button', { name: 'Join chat' }).click();
    await connected(page);
    await send(page, 'hello from a phone');

    const logBox = (await log(page).boundingBox())!;
    expect(logBox.height).toBeGreaterThanOrEqual(0.6 * 740);
    const nav = page.getByRole('navigation', { name: 'Rooms' });
    await expect(nav).toBeHidden();
    const opener = page.getByRole('button', { name: 'Room list' });
    await opener.click();
    await expect(nav).toBeVisible();
    await expect(nav.getByRole('button', { name: 'Lobby', exact: true })).toBeInViewport();
    await page.keyboard.press('Escape');
    await expect(nav).toBeHidden();
    await expect(opener).toBeFocused();

    // Every visible control is at least 44 px high.
    const small = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('button, input, textarea, a'))
        .filter((el) => el.offsetParent !== null && el.getAttribute('type') !== 'checkbox')
        .map((el) => ({ name: el.textContent?.trim() || el.getAttribute('aria-label') || el.tagName, h: el.getBoundingClientRect().height }))
        .filter((c) => c.h < 44),
    );
    expect(small).toEqual([]);

    await page.getByRole('button', { name: 'Members' }).click();
    const panel = page.getByRole('region', { name: 'Members' });
    const box = (await panel.boundingBox())!;
    expect(box.width).toBe(360);
    expect(box.height).toBeGreaterThanOrEqual(700);
    await panel.getByRole('button', { name: 'Close' }).click();
    await expect(panel).toHaveCount(0);
    await context.close();
  });

  test('at 1280 px the sidebar has no open forms and the room header shows the name', async ({ browser }) => {
    const page = await join(browser, unique('desk'));
    const nav = page.getByRole('navigation', { name: 'Rooms' });
    await expect(nav.getByRole('textbox')).toHaveCount(0);
    await expect(page.getByRole('heading', { level: 2, name: 'Lobby' })).toBeVisible();
    await nav.getByRole('button', { name: 'New room' }).click();
    await expect(page.getByRole('dialog', { name: 'New room' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(nav.getByRole('button', { name: 'New room' })).toBeFocused();
    await page.context().close();
  });
});

test.describe('state that survives', () => {
  test('a room has an address: a reload opens it, drafts stay, an unknown room says so', async ({ browser }) => {
    const page = await join(browser, unique('url'));
    const room = unique('here');
    await createRoom(page, room);
    expect(new URL(page.url()).hash).toMatch(/^#\/room\//);
    await composer(page).fill('half a thought');
    await page.reload();
    await connected(page);
    await expect(page.getByRole('heading', { level: 2, name: room })).toBeVisible(T);
    await expect(composer(page)).toHaveValue('half a thought');

    await page.goto('/#/room/no-such-room-here');
    await expect(page.getByRole('alert').filter({ hasText: /no-such-room-here|not found|cannot/i })).toBeVisible(T);
    await page.context().close();
  });

  test('the unread total is in the title and on the favicon', async ({ browser }) => {
    const alice = await join(browser, unique('tta'));
    const bob = await join(browser, unique('ttb'));
    await createRoom(alice, unique('away'));
    await expect(alice).toHaveTitle('webchat');
    await send(bob, unique('one'));
    await send(bob, unique('two'));
    await send(bob, unique('three'));
    // The room list refreshes on a reload (live updates wait for the server's user stream).
    await alice.reload();
    await connected(alice);
    await expect(alice).toHaveTitle(/^\(\d+\) webchat$/, T);
    const icon = await alice.locator('link[rel="icon"]').getAttribute('href');
    expect(decodeURIComponent(icon ?? '')).toMatch(/<text[^>]*>\d+<\/text>/);
    await alice.context().close();
    await bob.context().close();
  });
});

test.describe('search', () => {
  test('a result shows the words searched for, and opens its room at the message, marked', async ({ browser }) => {
    const page = await join(browser, unique('finder'));
    const room = unique('haystack');
    await createRoom(page, room);
    const needle = unique('needle');
    await send(page, `the ${needle} is here`);
    for (let i = 0; i < 30; i++) await send(page, `hay ${i}`);
    await expect(message(page, 'hay 29')).not.toHaveAttribute('data-pending', 'true', T);
    await expect(message(page, needle)).not.toBeInViewport();
    await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'Lobby', exact: true }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Lobby' })).toBeVisible(T);

    await page.getByRole('textbox', { name: 'Search', exact: true }).fill(needle);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const hit = page.getByRole('region', { name: 'Search results' }).getByRole('button').filter({ hasText: needle });
    await expect(hit.locator('mark')).toHaveText(needle, T);
    await hit.click();
    await expect(page.getByRole('heading', { level: 2, name: room })).toBeVisible(T);
    await expect(message(page, needle)).toHaveClass(/highlighted/, T);
    await expect(message(page, needle)).toBeInViewport(T);
    await page.context().close();
  });
});

test.describe('a long history', () => {
  test('10,000 loaded messages keep fewer than 2,000 elements in the log, top and bottom reachable', async ({
    browser,
  }) => {
    const page = await join(browser, unique('big'));
    const room = unique('big-room');
    await createRoom(page, room);
    const roomId = decodeURIComponent(new URL(page.url()).hash.replace('#/room/', ''));
    // The server has no such history to give: the page of events is answered
    // here, as the server would answer it, 10,000 messages over a week.
    const start = Date.now() - 7 * 24 * 3600_000;
    const events = Array.from({ length: 10_000 }, (_, i) => ({
      room: roomId,
      seq: i + 1,
      id: 1_000_000 + i,
      ts: new Date(start + i * 60_000).toISOString(),
      kind: 'message',
      author: { id: 900 + (i % 7), name: `writer ${i % 7}` },
      body: i % 10 === 0 ? `message ${i + 1} with **bold** and \`code\`` : `message ${i + 1}`,
    }));
    // Pages of 1,000: the newest first, then older ones as the log is
    // scrolled to the top (a room keeps 1,000 while following the newest;
    // reading back, it keeps all it loads).
    const PAGE = 1000;
    await page.route(new RegExp(`/api/v1/rooms/${roomId}/events`), (route) => {
      const before = Number(new URL(route.request().url()).searchParams.get('before') ?? events.length + 1);
      const end = Math.min(before - 1, events.length);
      const page = events.slice(Math.max(0, end - PAGE), end);
      return route.fulfill({ json: { events: page, has_more: end - PAGE > 0 } });
    });
    page.on('pageerror', (e) => console.log('page error:', e.message));
    const opened = Date.now();
    await page.reload();
    await connected(page);
    const log = page.getByRole('log', { name: 'Messages' });
    await expect(log.getByRole('article').last()).toContainText('message 10000', T);
    const openMs = Date.now() - opened;
    for (let loaded = PAGE; loaded < events.length; loaded += PAGE) {
      await log.evaluate((el) => (el.scrollTop = 0));
      await log.dispatchEvent('scroll');
      await expect(log.getByText(`message ${events.length - loaded}`, { exact: true })).toBeAttached(T);
    }
    await expect(page.getByRole('button', { name: 'Load older messages' })).toHaveCount(0, T);
    const nodes = await log.evaluate((el) => el.querySelectorAll('*').length);
    expect(nodes).toBeLessThan(2000);

    // Scrolling through: frame times while the log scrolls 200 steps up.
    const frames = await log.evaluate(async (el) => {
      const times: number[] = [];
      let last = performance.now();
      for (let i = 0; i < 200; i++) {
        el.scrollTop -= 400;
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return times.sort((a, b) => a - b);
    });
    const p = (q: number) => frames[Math.floor(q * (frames.length - 1))].toFixed(1);
    console.log(`10,000 messages: open ${openMs} ms (reload to last message), ${nodes} elements in the log, scroll frames p50 ${p(0.5)} ms p95 ${p(0.95)} ms`);

    await log.evaluate((el) => (el.scrollTop = 0));
    await expect(log.getByRole('article').first()).toContainText('message 1 with', T);
    expect(await log.evaluate((el) => el.querySelectorAll('*').length)).toBeLessThan(2000);
    // And back to the newest.
    await log.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect(log.getByRole('article').last()).toContainText('message 10000', T);
    await page.context().close();
  });
});

test.describe('offline', () => {
  test('a message written offline survives a reload and is sent exactly once when the server is back', async ({
    browser,
  }) => {
    // The server "goes away" for this browser: its socket is closed, and new
    // ones are refused, until the network is "back".
    const { page, network, sockets } = await joinBehindSwitch(browser, unique('off'));
    const reader = await join(browser, unique('reader'));
    network.down = true;
    await sockets[sockets.length - 1].close({ code: 1001, reason: 'test: connection lost' });
    await expect(page.getByRole('status')).not.toHaveText('Connected', T);

    const text = unique('written offline');
    await send(page, text);
    await expect(page.getByRole('banner').getByText('— 1 message waiting')).toBeVisible(T);
    await page.reload();
    await expect(message(page, text)).toHaveAttribute('data-pending', 'true', T);
    await expect(page.getByRole('banner').getByText('— 1 message waiting')).toBeVisible(T);

    network.down = false;
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect(page.getByRole('status')).toHaveText('Connected', T);
    await expect(message(page, text)).not.toHaveAttribute('data-pending', 'true', T);
    await expect(message(reader, text)).toHaveCount(1, T);
    // Once, also after another reload (the outbox forgot it).
    await page.reload();
    await connected(page);
    await expect(message(page, text)).toHaveCount(1, T);
    await page.waitForTimeout(500);
    await expect(message(reader, text)).toHaveCount(1);
    await page.context().close();
    await reader.context().close();
  });
});
