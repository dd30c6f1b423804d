// Accounts, edit/delete, typing, direct messages and search against the real server.

import { expect, test } from '@playwright/test';

import { PASSWORD, T, connected, join, message, register, seesOnline, send, unique } from './helpers.js';

test('an account is created, signed out, and signed in again', async ({ browser }) => {
  const username = unique('acct');
  const page = await register(browser, username);
  await expect(page.getByRole('banner').getByText(username, { exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('textbox', { name: 'Display name' })).toBeVisible(T);

  // Wrong password: the server's answer in an alert, still on the sign-in screen.
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText(/password/i, T);

  // A taken username is refused with the server's message.
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toContainText(/taken/i, T);

  await page.getByRole('button', { name: 'Sign in' }).click();
  await connected(page);
  await expect(page.getByRole('banner').getByText(username, { exact: true })).toBeVisible();
  await page.context().close();
});

test('edits and deletions of own messages reach the other browser', async ({ browser }) => {
  const alice = await join(browser, unique('alice'));
  const bob = await join(browser, unique('bob'));
  const original = unique('typo here');
  await send(alice, original);
  await expect(message(bob, original)).toHaveCount(1, T);
  // Bob may not change Alice's message.
  await expect(message(bob, original).getByRole('button', { name: 'Edit message' })).toHaveCount(0);

  const mine = message(alice, original);
  await expect(mine).not.toHaveAttribute('data-pending', 'true', T);
  await mine.getByRole('button', { name: 'Edit message' }).click();
  const fixed = unique('fixed text');
  // (Once edited, the article no longer contains the original text: find the box on the page.)
  const editBox = alice.getByRole('textbox', { name: 'Edit text', exact: true });
  await editBox.fill(fixed);
  await editBox.press('Enter');

  await expect(message(bob, fixed)).toHaveCount(1, T);
  await expect(message(bob, fixed)).toContainText('(edited)');
  await expect(message(bob, original)).toHaveCount(0);

  await message(alice, fixed).getByRole('button', { name: 'Delete message' }).click();
  await alice.getByRole('alertdialog').getByRole('button', { name: 'Delete', exact: true }).click();
  const log = bob.getByRole('log', { name: 'Messages' });
  await expect(message(bob, fixed)).toHaveCount(0, T);
  await expect(log.getByRole('article').filter({ hasText: 'Message deleted' }).last()).toBeVisible();

  // History (after a reload) shows the tombstone too.
  await bob.reload();
  await connected(bob);
  await expect(message(bob, fixed)).toHaveCount(0);
  await expect(log.getByRole('article').filter({ hasText: 'Message deleted' }).first()).toBeVisible(T);
  await alice.context().close();
  await bob.context().close();
});

test('the typing indicator shows in the other browser and ends with the message', async ({ browser }) => {
  const aliceName = unique('alice');
  const alice = await join(browser, aliceName);
  const bobName = unique('bob');
  const bob = await join(browser, bobName);
  // "Connected" comes before the subscription: typing sent earlier is not
  // relayed to Bob, and a short burst is not renewed.
  await seesOnline(alice, bobName);

  const box = alice.getByRole('textbox', { name: 'Message', exact: true });
  await box.pressSequentially('hello the', { delay: 20 });
  const indicator = bob.getByText(`${aliceName} is typing…`);
  await expect(indicator).toBeVisible(T);
  await expect(alice.getByText(/is typing…/)).toHaveCount(0);

  await box.press('Enter');
  await expect(indicator).toHaveCount(0, T);
  await alice.context().close();
  await bob.context().close();
});

test('two accounts talk in a direct message', async ({ browser }) => {
  const annName = unique('ann');
  const benName = unique('ben');
  const ann = await register(browser, annName);
  const ben = await register(browser, benName);

  const nav = ann.getByRole('navigation', { name: 'Rooms' });
  await nav.getByRole('button', { name: 'Message a user' }).click();
  await nav.getByRole('textbox', { name: 'DM username' }).fill(benName);
  await nav.getByRole('button', { name: 'Start chat' }).click();
  await expect(ann.getByRole('heading', { level: 2, name: benName })).toBeVisible(T);
  const hello = unique('psst');
  await send(ann, hello);
  await expect(message(ann, hello)).not.toHaveAttribute('data-pending', 'true', T);

  // Ben finds the conversation under Direct messages, named after Ann.
  const benNav = ben.getByRole('navigation', { name: 'Rooms' });
  await ben.reload();
  await connected(ben);
  const dm = benNav.getByRole('list', { name: 'Direct messages' }).getByRole('button', { name: annName });
  await dm.click();
  await expect(ben.getByRole('heading', { level: 2, name: annName })).toBeVisible(T);
  await expect(message(ben, hello)).toHaveCount(1, T);

  const reply = unique('hi back');
  await send(ben, reply);
  await expect(message(ann, reply)).toHaveCount(1, T);
  await ann.context().close();
  await ben.context().close();
});

test('search finds a message and opens its room', async ({ browser }) => {
  const page = await join(browser, unique('sue'));
  const nav = page.getByRole('navigation', { name: 'Rooms' });
  const roomName = unique('findroom');
  await nav.getByRole('button', { name: 'New room' }).click();
  await nav.getByRole('textbox', { name: 'New room' }).fill(roomName);
  await nav.getByRole('button', { name: 'Create room' }).click();
  await expect(page.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);
  const word = `needle${Date.now().toString(36)}`;
  await send(page, `a haystack with a ${word} in it`);
  await expect(message(page, word)).not.toHaveAttribute('data-pending', 'true', T);

  await nav.getByRole('button', { name: 'Lobby', exact: true }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Lobby' })).toBeVisible(T);

  await page.getByRole('textbox', { name: 'Search', exact: true }).fill(word);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const results = page.getByRole('region', { name: 'Search results' });
  const hit = results.getByRole('button').filter({ hasText: word });
  await expect(hit).toHaveCount(1, T);
  await expect(hit).toContainText(roomName);
  await hit.click();
  await expect(page.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);
  await expect(message(page, word)).toHaveCount(1, T);
  await page.context().close();
});

test('a guest becomes an account from the Account panel and keeps the history', async ({ browser }) => {
  const guestName = unique('gil');
  const page = await join(browser, guestName);
  const before = unique('said as a guest');
  await send(page, before);
  await expect(message(page, before)).not.toHaveAttribute('data-pending', 'true', T);

  await page.getByRole('button', { name: 'Account' }).click();
  const panel = page.getByRole('region', { name: 'Account' });
  const username = unique('gil');
  await panel.getByRole('textbox', { name: 'Username' }).fill(username);
  await panel.getByLabel('Password').fill(PASSWORD);
  await panel.getByRole('button', { name: 'Create account' }).click();
  await expect(panel.getByRole('heading', { name: 'Access tokens' })).toBeVisible(T);

  // Signed out and in again with the new account: same user, same messages (still own).
  await page.getByRole('button', { name: 'Sign out' }).click();
  // Sign-out waits for the server: until then the chat (and its Account
  // panel) is still on screen.
  await expect(page.getByRole('textbox', { name: 'Display name' })).toBeVisible(T);
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await connected(page);
  await expect(message(page, before)).toHaveAttribute('data-own', 'true', T);
  await page.context().close();
});

test('a moderator kicks a member, who is sent back to the lobby with a notice', async ({ browser }) => {
  const owner = await register(browser, unique('olga'));
  const roomName = unique('modroom');
  const nav = owner.getByRole('navigation', { name: 'Rooms' });
  await nav.getByRole('button', { name: 'New room' }).click();
  await nav.getByRole('textbox', { name: 'New room' }).fill(roomName);
  await nav.getByRole('button', { name: 'Create room' }).click();
  await expect(owner.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);

  const bobName = unique('bob');
  const bob = await join(browser, bobName);
  await bob.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: roomName }).click();
  await expect(bob.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);
  // Bob's subscription is live: the kick's "unsubscribed" reaches him, not a later subscribe's refusal.
  await seesOnline(owner, bobName);

  await owner.getByRole('button', { name: 'Members' }).click();
  await owner.getByRole('button', { name: `Kick ${bobName}` }).click();
  await owner.getByRole('alertdialog').getByRole('button', { name: 'Kick', exact: true }).click();
  await expect(bob.getByRole('alert')).toContainText(`You were removed from #${roomName}`, T);
  await expect(bob.getByRole('heading', { level: 2, name: 'Lobby' })).toBeVisible(T);
  await owner.context().close();
  await bob.context().close();
});

test('a moderator bans a member, finds the ban listed and lifts it; the banned one cannot post until then', async ({
  browser,
}) => {
  const ownerName = unique('olga');
  const owner = await register(browser, ownerName);
  const roomName = unique('banroom');
  const ownerNav = owner.getByRole('navigation', { name: 'Rooms' });
  await ownerNav.getByRole('button', { name: 'New room' }).click();
  await ownerNav.getByRole('textbox', { name: 'New room' }).fill(roomName);
  await ownerNav.getByRole('button', { name: 'Create room' }).click();
  await expect(owner.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);

  const bobName = unique('bob');
  const bob = await join(browser, bobName);
  const bobNav = bob.getByRole('navigation', { name: 'Rooms' });
  await bobNav.getByRole('button', { name: roomName }).click();
  await expect(bob.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);
  await seesOnline(owner, bobName);
  const word = `needle${Date.now().toString(36)}`;
  await send(bob, `said before the ban: ${word}`);
  await expect(message(bob, word)).not.toHaveAttribute('data-pending', 'true', T);

  await owner.getByRole('button', { name: 'Members' }).click();
  await owner.getByRole('button', { name: `Ban ${bobName}` }).click();
  await owner.getByRole('alertdialog').getByRole('button', { name: 'Ban', exact: true }).click();
  await expect(owner.getByText(`${bobName} was banned.`)).toBeVisible(T);
  const bans = owner.getByRole('list', { name: 'Banned', exact: true }).getByRole('listitem');
  await expect(bans).toHaveCount(1, T);
  await expect(bans).toContainText(`${bobName} (guest) banned by ${ownerName}`);

  await expect(bob.getByRole('heading', { level: 2, name: 'Lobby' })).toBeVisible(T);
  // A banned user may still read a public room: a search hit opens it without joining.
  await bob.getByRole('textbox', { name: 'Search', exact: true }).fill(word);
  await bob.getByRole('button', { name: 'Search', exact: true }).click();
  await bob.getByRole('region', { name: 'Search results' }).getByRole('button').filter({ hasText: word }).click();
  await expect(bob.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);
  await expect(bob.getByText(`You cannot follow #${roomName}: you are banned from this room.`)).toBeVisible(T);
  const box = bob.getByRole('textbox', { name: 'Message', exact: true });
  await expect(box).toBeDisabled();
  await expect(bob.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();

  await bans.getByRole('button', { name: `Lift ban on ${bobName}` }).click();
  await expect(owner.getByText(`The ban on ${bobName} was lifted.`)).toBeVisible(T);
  await expect(owner.getByText('No one is banned here.')).toBeVisible(T);

  await bob.getByRole('button', { name: 'Try again' }).click();
  await expect(box).toBeEnabled(T);
  const back = unique('back again');
  await send(bob, back);
  await expect(message(owner, back)).toHaveCount(1, T);
  await owner.context().close();
  await bob.context().close();
});

test('unread counts show for other rooms and clear once the room is read', async ({ browser }) => {
  const alice = await join(browser, unique('ada'));
  const roomName = unique('news');
  const aliceNav = alice.getByRole('navigation', { name: 'Rooms' });
  await aliceNav.getByRole('button', { name: 'New room' }).click();
  await aliceNav.getByRole('textbox', { name: 'New room' }).fill(roomName);
  await aliceNav.getByRole('button', { name: 'Create room' }).click();
  await expect(alice.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);

  const bob = await join(browser, unique('bo'));
  const nav = bob.getByRole('navigation', { name: 'Rooms' });
  await nav.getByRole('button', { name: roomName }).click();
  await expect(bob.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);
  await nav.getByRole('button', { name: 'Lobby', exact: true }).click();
  await expect(bob.getByRole('heading', { level: 2, name: 'Lobby' })).toBeVisible(T);

  const first = unique('news one');
  await send(alice, first);
  await send(alice, unique('news two'));
  await expect(message(alice, first)).not.toHaveAttribute('data-pending', 'true', T);

  // Bob only subscribes to the open room: the counts come with the room list.
  await bob.reload();
  await connected(bob);
  const badged = nav.getByRole('button', { name: `${roomName}, 2 unread` });
  await expect(badged).toBeVisible(T);
  await badged.click();
  await expect(message(bob, first)).toHaveCount(1, T);
  // The read marker goes out about a second after the room is shown: wait
  // until the server has it.
  await expect
    .poll(async () => {
      const res = await bob.request.get('/api/v1/rooms');
      const { rooms } = (await res.json()) as { rooms: { name: string; unread?: number }[] };
      return rooms.find((r) => r.name === roomName)?.unread;
    }, T)
    .toBe(0);
  await nav.getByRole('button', { name: 'Lobby', exact: true }).click();
  await bob.reload();
  await connected(bob);
  await expect(nav.getByRole('button', { name: roomName, exact: true })).toBeVisible(T);
  await alice.context().close();
  await bob.context().close();
});

test('a moderator kicks one of two guests of the same name: the one clicked', async ({ browser }) => {
  const owner = await register(browser, unique('olga'));
  const roomName = unique('tworoom');
  const nav = owner.getByRole('navigation', { name: 'Rooms' });
  await nav.getByRole('button', { name: 'New room' }).click();
  await nav.getByRole('textbox', { name: 'New room' }).fill(roomName);
  await nav.getByRole('button', { name: 'Create room' }).click();
  await expect(owner.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);

  // Same display name: only the member's id tells them apart.
  const twin = unique('twin');
  const first = await join(browser, twin);
  await first.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: roomName }).click();
  await expect(first.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);
  const second = await join(browser, twin);
  await second.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: roomName }).click();
  await expect(second.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);
  // Both subscriptions are live (two users of that name online).
  await seesOnline(owner, twin, 2);

  await owner.getByRole('button', { name: 'Members' }).click();
  const twins = owner.getByRole('list', { name: 'Members', exact: true }).getByRole('listitem').filter({ hasText: twin });
  await expect(twins).toHaveCount(2, T);
  // Members are listed by id: the second joined last.
  await twins.nth(1).getByRole('button', { name: `Kick ${twin}` }).click();
  await owner.getByRole('alertdialog').getByRole('button', { name: 'Kick', exact: true }).click();
  await expect(owner.getByText(`${twin} was kicked.`)).toBeVisible(T);
  await expect(twins).toHaveCount(1, T);

  await expect(second.getByText(`You were removed from #${roomName}`).first()).toBeVisible(T);
  await expect(first.getByText(`You were removed from #${roomName}`)).toHaveCount(0);
  await expect(first.getByRole('heading', { level: 2, name: roomName })).toBeVisible();
  await owner.context().close();
  await first.context().close();
  await second.context().close();
});

test('a member leaves a room and is back in the lobby, the room offered to join again', async ({ browser }) => {
  const page = await join(browser, unique('lea'));
  const nav = page.getByRole('navigation', { name: 'Rooms' });
  const roomName = unique('leaveme');
  await nav.getByRole('button', { name: 'New room' }).click();
  await nav.getByRole('textbox', { name: 'New room' }).fill(roomName);
  await nav.getByRole('button', { name: 'Create room' }).click();
  await expect(page.getByRole('heading', { level: 2, name: roomName })).toBeVisible(T);
  await expect(nav.getByRole('list', { name: 'Your rooms' }).getByRole('button', { name: roomName })).toBeVisible(T);

  await nav.getByRole('button', { name: 'Leave room' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Lobby' })).toBeVisible(T);
  await expect(nav.getByRole('list', { name: 'Your rooms' }).getByRole('button', { name: roomName })).toHaveCount(0, T);
  await expect(nav.getByRole('list', { name: 'Public rooms' }).getByRole('button', { name: roomName })).toBeVisible(T);
  // The lobby itself is not left: the client would join it again at once.
  await expect(nav.getByRole('button', { name: 'Leave room' })).toHaveCount(0);
  // Leaving was the user's own doing: no "You left" alert about it.
  await send(page, unique('back in the lobby'));
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByText(`You left #${roomName}`)).toHaveCount(0);
  await page.context().close();
});
