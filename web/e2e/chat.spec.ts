// The web client against the real server: names, live chat between two
// browsers, own-vs-others styling, reload, connection status.

import { expect, test } from '@playwright/test';

import { T, join, joinBehindSwitch, message, seesOnline, send, unique } from './helpers.js';

test('the connection status shows Connected', async ({ browser }) => {
  const page = await join(browser, unique('carol'));
  await expect(page.getByRole('status')).toHaveText('Connected');
  await expect(page.getByRole('navigation', { name: 'Rooms' })).toBeVisible();
  await page.context().close();
});

test('two users chat in the lobby in real time', async ({ browser }) => {
  const aliceName = unique('alice');
  const bobName = unique('bob');
  const alice = await join(browser, aliceName);
  const bob = await join(browser, bobName);

  const hello = unique('hello from alice');
  await send(alice, hello);
  await expect(message(bob, hello)).toHaveCount(1, T);
  await expect(message(bob, hello)).toContainText(aliceName);
  await expect(message(alice, hello)).toHaveCount(1, T);

  const reply = unique('hi alice');
  const bobBox = bob.getByRole('textbox', { name: 'Message', exact: true });
  await bobBox.fill(reply);
  await bob.getByRole('button', { name: 'Send' }).click();
  await expect(message(alice, reply)).toHaveCount(1, T);
  await expect(message(alice, reply)).toContainText(bobName);
  // Confirmed, not pending, and shown exactly once on the sender's side too.
  await expect(message(bob, reply)).toHaveCount(1, T);
  await expect(message(bob, reply)).not.toHaveAttribute('data-pending', 'true', T);

  await alice.context().close();
  await bob.context().close();
});

test('own and others’ messages are styled apart', async ({ browser }) => {
  const alice = await join(browser, unique('alice'));
  const bob = await join(browser, unique('bob'));
  const mine = unique('mine');
  const theirs = unique('theirs');
  await send(alice, mine);
  await send(bob, theirs);

  const own = message(alice, mine);
  const other = message(alice, theirs);
  await expect(own).toHaveAttribute('data-own', 'true', T);
  await expect(other).toHaveAttribute('data-own', 'false', T);
  await expect(own).not.toHaveAttribute('data-pending', 'true', T);

  const style = (el: Element) => {
    const s = getComputedStyle(el);
    return { bg: s.backgroundColor, color: s.color, align: s.alignSelf };
  };
  const ownStyle = await own.evaluate(style);
  const otherStyle = await other.evaluate(style);
  expect(ownStyle.bg).not.toBe(otherStyle.bg);
  expect(ownStyle.align).toBe('flex-end');
  expect(otherStyle.align).toBe('flex-start');

  const ownBox = await own.boundingBox();
  const otherBox = await other.boundingBox();
  expect(ownBox && otherBox && ownBox.x + ownBox.width).toBeGreaterThan(
    (otherBox?.x ?? 0) + (otherBox?.width ?? 0),
  );

  await alice.context().close();
  await bob.context().close();
});

test('a reload keeps the session and the history', async ({ browser }) => {
  const name = unique('dave');
  const page = await join(browser, name);
  const first = unique('before reload');
  await send(page, first);
  await expect(message(page, first)).not.toHaveAttribute('data-pending', 'true', T);

  await page.reload();
  await expect(page.getByRole('status')).toHaveText('Connected', T);
  await expect(page.getByRole('textbox', { name: 'Display name' })).toHaveCount(0);
  await expect(page.getByRole('banner').getByText(name, { exact: true })).toBeVisible();
  await expect(message(page, first)).toHaveCount(1, T);
  await expect(message(page, first)).toHaveAttribute('data-own', 'true');

  // Live messages still arrive after the reload.
  const second = unique('after reload');
  await send(page, second);
  await expect(message(page, second)).toHaveCount(1, T);
  await page.context().close();
});

test('a new public room can be created, opened and left for the lobby', async ({ browser }) => {
  const page = await join(browser, unique('erin'));
  const nav = page.getByRole('navigation', { name: 'Rooms' });
  const roomName = unique('room');
  await nav.getByRole('button', { name: 'New room' }).click();
  await nav.getByRole('textbox', { name: 'New room' }).fill(roomName);
  await nav.getByRole('button', { name: 'Create room' }).click();
  await expect(page.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);

  const text = unique('only in the new room');
  await send(page, text);
  await expect(message(page, text)).toHaveCount(1, T);

  await nav.getByRole('button', { name: 'Lobby', exact: true }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Lobby' })).toBeVisible(T);
  await expect(message(page, text)).toHaveCount(0);
  await page.context().close();
});

test('older history loads when the log is scrolled to the top', async ({ browser }) => {
  const page = await join(browser, unique('frank'));
  const nav = page.getByRole('navigation', { name: 'Rooms' });
  const roomName = unique('history');
  await nav.getByRole('button', { name: 'New room' }).click();
  await nav.getByRole('textbox', { name: 'New room' }).fill(roomName);
  await nav.getByRole('button', { name: 'Create room' }).click();
  await expect(page.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);

  // 60 messages over REST (same session cookie), then re-open the room fresh.
  // The server allows 10 messages/s with a burst of 20: pace and honour 429s.
  for (let i = 1; i <= 60; i++) {
    for (let attempt = 0; ; attempt++) {
      const res = await page.request.post(`/api/v1/rooms/${roomName}/messages`, {
        data: { body: `history ${i}`, nonce: `${roomName}-${i}` },
      });
      if (res.ok()) break;
      expect(res.status(), await res.text()).toBe(429);
      expect(attempt).toBeLessThan(20);
      await page.waitForTimeout(200);
    }
  }
  await page.reload();
  await expect(page.getByRole('status')).toHaveText('Connected', T);
  await nav.getByRole('button', { name: roomName }).click();
  const log = page.getByRole('log', { name: 'Messages' });
  await expect(log.getByRole('article')).toHaveCount(50, T);
  await expect(page.getByRole('button', { name: 'Load older messages' })).toBeVisible();
  await expect(log.getByRole('article').first()).toContainText('history 11');

  await log.evaluate((el) => {
    el.scrollTop = 0;
    el.dispatchEvent(new Event('scroll'));
  });
  await expect(log.getByRole('article')).toHaveCount(60, T);
  await expect(log.getByRole('article').first()).toContainText('history 1');
  await expect(page.getByRole('button', { name: 'Load older messages' })).toHaveCount(0);
  await page.context().close();
});

test('after a dropped connection, what was sent on both sides during the gap shows once', async ({ browser }) => {
  // Alice's WebSocket passes through a route the test controls: it drops the
  // connection for certain, and refuses new ones until the network is "back".
  const { page: alice, network, sockets: routes } = await joinBehindSwitch(browser, unique('gina'));
  const bobName = unique('hank');
  const bob = await join(browser, bobName);
  await seesOnline(alice, bobName);
  expect(routes).toHaveLength(1);

  network.down = true;
  await routes[0].close({ code: 1001, reason: 'test: connection lost' });
  const status = alice.getByRole('status');
  await expect(status).toHaveText('Reconnecting', T);

  // Bob speaks while Alice is away; Alice writes while offline.
  const during = unique('said during the gap');
  await send(bob, during);
  await expect(message(bob, during)).not.toHaveAttribute('data-pending', 'true', T);
  const offline = unique('sent offline');
  await send(alice, offline);
  await expect(message(alice, offline)).toHaveAttribute('data-pending', 'true');
  await expect(message(alice, during)).toHaveCount(0);
  await expect(status).toHaveText('Reconnecting');

  network.down = false;
  // The browser says it is online again: the client skips the backoff wait.
  await alice.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(status).toHaveText('Connected', T);
  expect(routes).toHaveLength(2);

  // The resume replays Bob's message and the pending one is sent: each once.
  await expect(message(alice, during)).toHaveCount(1, T);
  await expect(message(alice, offline)).not.toHaveAttribute('data-pending', 'true', T);
  await expect(message(bob, offline)).toHaveCount(1, T);
  // A later message of Bob's arrives live, after both: nothing was shown twice.
  const after = unique('after the gap');
  await send(bob, after);
  await expect(message(alice, after)).toHaveCount(1, T);
  await expect(message(alice, during)).toHaveCount(1);
  await expect(message(alice, offline)).toHaveCount(1);
  await expect(message(bob, offline)).toHaveCount(1);
  await alice.context().close();
  await bob.context().close();
});
