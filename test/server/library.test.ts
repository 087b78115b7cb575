import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.js';
import { send } from './http.js';

describe('the server from the package', () => {
  it('starts from `baton` (the built library), answers with the token, and closes its store', async () => {
    const { startServer } = await import('@baton-workbench/baton');
    const dir = tempDir('baton-pkg-serve-');
    const server = await startServer({ db: join(dir, 'baton.db'), cwd: dir, env: {}, log: () => undefined });
    try {
      const session = await send(server.port, '/api/session', { headers: { authorization: `Bearer ${server.token}` } });
      expect(session.status).toBe(200);
      expect(JSON.parse(session.body)).toMatchObject({ csrfToken: expect.any(String), version: expect.any(String) });
    } finally {
      await server.close();
    }
    await expect(send(server.port, '/api/session')).rejects.toThrow();
  });
});
