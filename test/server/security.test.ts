import { describe, expect, it } from 'vitest';
import { json, LEAK_KEY, testServer } from './fixture.js';
import { send } from './http.js';
import { startServer } from '../../src/server/server.js';
import { tempDir } from '../support/cli.js';
import { join } from 'node:path';

describe('baton serve: who may talk to it', async () => {
  const t = await testServer();

  it('refuses the API without a token, with a bad token, a bad cookie or a bad link (401)', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: `Bearer ${t.server.token}x` }, { cookie: `baton_session_${t.port}=forged` }]) {
      const response = await t.raw('/api/explorations', { headers });
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(json(response)).toMatchObject({ code: 'unauthorized' });
    }
    expect((await t.raw('/?token=wrong')).status).toBe(401);
    expect((await t.bearer('/api/explorations')).status).toBe(200);
  });

  it('refuses a foreign Host header, even with the token (403: DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${t.port}`, `127.0.0.1:${t.port + 1}`, '127.0.0.1']) {
      const api = await t.bearer('/api/explorations', { headers: { host } });
      expect(api.status, host).toBe(403);
      expect(json(api)).toMatchObject({ code: 'forbidden', field: 'host' });
      expect((await t.raw(`/?token=${t.server.token}`, { headers: { host } })).status).toBe(403);
    }
    for (const host of [`localhost:${t.port}`, `[::1]:${t.port}`]) expect((await t.bearer('/api/session', { headers: { host } })).status).toBe(200);
  });

  it('exchanges the launch token for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const login = await t.raw(`/?token=${encodeURIComponent(t.server.token)}&exploration=x123`);
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/?exploration=x123');
    const cookie = login.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^baton_session_${t.port}=`, 'u'));
    expect(cookie).toMatch(/HttpOnly/iu);
    expect(cookie).toMatch(/SameSite=Strict/iu);
    expect(cookie).not.toContain(t.server.token);
    const session = await t.raw('/api/session', { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(session.status).toBe(200);
    expect(json(session).csrfToken).toBe(t.csrf);
  });

  it('refuses cross-origin and CSRF-less state changes (403)', async () => {
    const body = { text: '---\nquestion: Why?\n---\n' };
    expect((await t.browser('/api/lint', { body })).status).toBe(200);
    const crossOrigin = await t.browser('/api/lint', { body, headers: { origin: 'http://evil.example' } });
    expect(crossOrigin.status).toBe(403);
    expect(json(crossOrigin)).toMatchObject({ code: 'forbidden', field: 'origin' });
    expect((await t.browser('/api/lint', { body, headers: { origin: `http://localhost:${t.port + 1}` } })).status).toBe(403);
    expect((await t.browser('/api/lint', { body, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    const noCsrf = await t.raw('/api/lint', { method: 'POST', body, headers: { cookie: t.cookie, origin: t.server.origin } });
    expect(noCsrf.status).toBe(403);
    expect(json(noCsrf)).toMatchObject({ field: 'x-baton-csrf' });
    expect((await t.browser('/api/lint', { body, headers: { 'x-baton-csrf': 'guess' } })).status).toBe(403);
    // A cookie session must name its origin on a state change.
    expect((await t.raw('/api/lint', { method: 'POST', body, headers: { cookie: t.cookie, 'x-baton-csrf': t.csrf } })).status).toBe(403);
    // A script with the Bearer token needs no CSRF token, but a foreign Origin is refused all the same.
    expect((await t.bearer('/api/lint', { method: 'POST', body })).status).toBe(200);
    expect((await t.bearer('/api/lint', { method: 'POST', body, headers: { origin: 'http://evil.example' } })).status).toBe(403);
  });

  it('refuses the event stream to another origin', async () => {
    const response = await t.browser('/api/explorations/anything/events', { headers: { origin: 'http://evil.example' } });
    expect(response.status).toBe(403);
  });

  it('serves the UI with a strict Content-Security-Policy, nosniff and no referrer', async () => {
    for (const path of ['/', '/explorations/x1/candidates/c3']) {
      const page = await t.raw(path);
      expect(page.status, path).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/u);
      const csp = String(page.headers['content-security-policy']);
      for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "connect-src 'self'"]) {
        expect(csp).toContain(directive);
      }
      expect(csp).not.toContain('unsafe');
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const response = await t.bearer('/api/nothing-here');
    expect(response.status).toBe(404);
    expect(json(response)).toMatchObject({ code: 'not_found' });
  });

  it('sends no CORS headers, even to a preflight', async () => {
    await t.raw('/api/explorations', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    await t.bearer('/api/session', { headers: { origin: 'http://evil.example' } });
    expect(t.responses.length).toBeGreaterThan(10);
    for (const response of t.responses) {
      expect(Object.keys(response.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      expect(response.body).not.toContain(LEAK_KEY);
    }
  });
});

describe('baton serve: without a web build, and beyond loopback', () => {
  it('says how to build the UI (503) instead of serving nothing', async () => {
    const dir = tempDir('baton-serve-');
    const server = await startServer({ db: join(dir, 'b.db'), cwd: dir, webRoot: join(dir, 'missing'), log: () => undefined });
    try {
      const page = await send(server.port, '/');
      expect(page.status).toBe(503);
      expect(page.body).toContain('npm run build');
    } finally {
      await server.close();
    }
  });

  it('will not listen beyond loopback without allowRemote', async () => {
    await expect(startServer({ host: '0.0.0.0', db: join(tempDir(), 'b.db') })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
