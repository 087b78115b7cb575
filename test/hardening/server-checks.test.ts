import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stopCheckModules } from '../../src/explore/check-module.js';
import { LIGHTHOUSE, testServer } from '../server/fixture.js';

/**
 * The server and briefs it is sent: no module runs unless `serve` was started with
 * --allow-modules; a slow check does not hold the event loop; and no malformed request, of any
 * shape, gets a 5xx.
 */

afterAll(() => stopCheckModules());

function moduleBrief(module: string): string {
  return ['---', 'question: How should we name the harbour lighthouse?', 'criteria:', '  - text: The name is memorable', '  - check:', `      module: ${module}`, '---', ''].join('\n');
}

describe('module checks in briefs sent to the server', () => {
  it('are refused, located, unless the server allows them', async () => {
    const t = await testServer();
    writeFileSync(join(t.dir, 'ok.mjs'), 'export const check = () => true;');
    const lint = await t.bearer('/api/lint', { method: 'POST', body: { text: moduleBrief('ok.mjs') } });
    expect(lint.status).toBe(200);
    const findings = (JSON.parse(lint.body) as { findings: Array<{ code: string; message: string; line: number; field: string }> }).findings;
    expect(findings.find((f) => f.code === 'unusable-check')).toMatchObject({ line: 6, field: 'criteria.1.check.module' });
    expect(findings.find((f) => f.code === 'unusable-check')?.message).toMatch(/--allow-modules/u);
    const start = await t.bearer('/api/explorations', { method: 'POST', body: { briefText: moduleBrief('ok.mjs') } });
    expect(start.status).toBe(400);
    expect(JSON.parse(start.body)).toMatchObject({ code: 'invalid_input', field: 'briefText.criteria.1.check.module', line: 6 });
    expect((JSON.parse((await t.bearer('/api/explorations')).body) as { explorations: unknown[] }).explorations).toEqual([]);

    const allowed = await testServer({ allowModules: true });
    writeFileSync(join(allowed.dir, 'ok.mjs'), 'export const check = () => true;');
    const ok = await allowed.bearer('/api/lint', { method: 'POST', body: { text: moduleBrief('ok.mjs') } });
    expect((JSON.parse(ok.body) as { findings: Array<{ code: string }> }).findings.filter((f) => f.code === 'unusable-check')).toEqual([]);
  });

  it('a module that kills its process or hangs while loading leaves the server answering', async () => {
    const t = await testServer({ allowModules: true });
    writeFileSync(join(t.dir, 'exits.mjs'), 'process.exit(0);');
    writeFileSync(join(t.dir, 'hangs.mjs'), 'for (;;) {}');
    const exits = await t.bearer('/api/lint', { method: 'POST', body: { text: moduleBrief('exits.mjs') } });
    expect(exits.status).toBe(200);
    expect(exits.body).toMatch(/ended its thread/u);

    // The slow lint is in flight while another request is asked and answered.
    let slowDone = false;
    const slow = t.bearer('/api/lint', { method: 'POST', body: { text: moduleBrief('hangs.mjs') } }).then((response) => {
      slowDone = true;
      return response;
    });
    const session = await t.bearer('/api/session');
    expect(session.status).toBe(200);
    expect(slowDone, 'the session answer came while the slow lint was still running').toBe(false);
    const hung = await slow;
    expect(hung.status).toBe(200);
    expect(hung.body).toMatch(/loading it took longer than 5 s/u);
  }, 30_000);
});

describe('HTTP fuzzer', () => {
  const PATHS = ['/api/explorations', '/api/lint', '/api/explorations/xnope', '/api/explorations/xnope/decisions', '/api/explorations/xnope/run', '/api/explorations/xnope/export', '/api/explorations/xnope/candidates/c1', '/api/explorations/xnope/series', '/api/explorations/xnope/brief', '/api/nope', '/api/session'];
  const json = fc.jsonValue({ maxDepth: 3 });
  const bodyArb = fc.oneof(
    json.map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('{', '{"briefText": 3}', '{"text": null}', `{"text": ${JSON.stringify(LIGHTHOUSE.replace('question:', 'question: \u0000'))}}`, '{"briefText": "---\\nquestion: x\\n"}', '{"action": "accept", "candidateIds": [1]}', '[]', 'null', '"x"', `{"text": "${'a'.repeat(300_000)}"}`),
    fc.record({ text: fc.string({ maxLength: 500 }) }).map((value) => JSON.stringify(value)),
    fc.record({ briefText: fc.string({ maxLength: 500 }), seed: fc.oneof(fc.integer(), fc.string()) }).map((value) => JSON.stringify(value)),
  );

  it('answers every malformed request with a 4xx problem, never a 5xx', async () => {
    const t = await testServer();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        bodyArb,
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', ''),
        fc.string({ maxLength: 20 }),
        async (path, method, body, type, query) => {
          const withQuery = `${path}?${encodeURIComponent(query)}=${encodeURIComponent(query)}&format=${encodeURIComponent(query)}`;
          const headers: Record<string, string> = type === '' ? {} : { 'content-type': type };
          // A body only where HTTP has one (Node itself refuses a GET with a chunked body).
          const response = await fresh(t.port, withQuery, { method, headers: { ...headers, authorization: `Bearer ${t.server.token}` }, ...(method === 'GET' || method === 'DELETE' ? {} : { body }) });
          expect(response.status, `${method} ${withQuery} ${body.slice(0, 200)} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
          if (response.status >= 400) {
            const problem = JSON.parse(response.body) as { code?: unknown; message?: unknown };
            expect(typeof problem.code).toBe('string');
            expect(typeof problem.message).toBe('string');
          }
        },
      ),
      { numRuns: 300, seed: 1313 },
    );
  }, 240_000);
});

/** One request on a connection of its own (no keep-alive reuse after a server closed one). */
function fresh(port: number, path: string, options: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { host: `127.0.0.1:${port}`, ...options.headers, ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) };
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
