import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch } from '../../../test/fake-fetch';
import { login } from './login';
import { register } from './register';

afterEach(() => vi.unstubAllGlobals());

describe('login and register', () => {
  it('posts the credentials and answers the user', async () => {
    const user = { id: 5, name: 'ann', guest: false, username: 'ann' };
    const { calls } = fakeFetch({
      'POST /api/v1/auth/login': () => ({ json: { user, token: 't' } }),
      'POST /api/v1/auth/register': () => ({ status: 201, json: { user, token: 't' } }),
    });
    await expect(login(' ann ', 'pw')).resolves.toEqual(user);
    await expect(register('ann', 'secret123')).resolves.toEqual(user);
    expect(calls.map((c) => [c.path, c.body])).toEqual([
      ['/api/v1/auth/login', { username: 'ann', password: 'pw' }],
      ['/api/v1/auth/register', { username: 'ann', password: 'secret123' }],
    ]);
  });

  it('turns a 401 into a clear message, and keeps the server’s 400/409 messages', async () => {
    fakeFetch({
      'POST /api/v1/auth/login': () => ({
        status: 401,
        json: { error: { code: 'unauthorized', message: 'authentication required' } },
      }),
      'POST /api/v1/auth/register': () => ({
        status: 400,
        json: { error: { code: 'bad_request', message: 'password must be at least 8 characters' } },
      }),
    });
    await expect(login('ann', 'nope')).rejects.toMatchObject({ status: 401, message: 'Wrong username or password.' });
    await expect(register('ann', 'x')).rejects.toMatchObject({
      status: 400,
      message: 'password must be at least 8 characters',
    });
  });
});
