import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { CandidateDetail, DecisionResponse, ExplorationDetail, ExplorationsResponse, LintResponse, SeriesResponse, StartedResponse } from '../../src/server/contract.js';
import type { TestServer } from './fixture.js';
import { json, LEAK_KEY, LIGHTHOUSE, testServer } from './fixture.js';
import type { EventStream, HttpResponse } from './http.js';
import { openEvents } from './http.js';

/** Waits on the exploration's event stream for the end of the current background run. */
/** Waits until no background run holds the exploration (a run may end before a stream opens). */
async function idle(t: TestServer, id: string): Promise<void> {
  for (let tries = 0; tries < 1200; tries += 1) {
    if (!json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`)).running) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`exploration ${id} is still running`);
}

async function runEnds(stream: EventStream, from: number): Promise<void> {
  await stream.until((m) => stream.messages.indexOf(m) >= from && m.event === 'status' && /"state":"(finished|failed)"/u.test(m.data));
}

/** A provider that refuses the key, echoing what it was sent, as some real ones partly do. */
async function refusingProvider(): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization ?? ''}`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => void server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => server.close() };
}

describe('baton serve: the JSON API', async () => {
  const provider = await refusingProvider();
  // Slow enough that a run is still going when a second decision arrives.
  const t = await testServer({ baton: { latencyMs: 40 }, env: { OPENAI_API_KEY: LEAK_KEY, OPENAI_BASE_URL: provider.url } });

  it('refuses invalid bodies with 400 and the offending field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/api/explorations', {}, 'briefText'],
      ['/api/explorations', { briefText: LIGHTHOUSE, seed: -1 }, 'seed'],
      ['/api/explorations', { briefText: LIGHTHOUSE, extra: 1 }, ''],
      ['/api/lint', { text: 5 }, 'text'],
      ['/api/explorations/x/decisions', { action: 'fly' }, 'action'],
      ['/api/explorations/x/decisions', { action: 'deepen', candidateIds: 'c1' }, 'candidateIds'],
    ];
    for (const [path, body, field] of cases) {
      const response = await t.browser(path, { body });
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(json(response)).toMatchObject({ code: 'invalid_input', field });
    }
    const unknownModel = await t.browser('/api/explorations', { body: { briefText: LIGHTHOUSE, model: 'nowhere:model' } });
    expect(unknownModel.status).toBe(400);
    expect(json(unknownModel)).toMatchObject({ field: 'model' });
    const notJson = await t.browser('/api/lint', { body: '{"text":', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect((await t.browser('/api/lint', { body: 'text=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(400);
  });

  it('locates a brief that does not parse: field, line and column, and nothing is written', async () => {
    const broken = LIGHTHOUSE.replace('weight: 3', 'weight: high');
    const response = await t.browser('/api/explorations', { body: { briefText: broken } });
    expect(response.status).toBe(400);
    const error = json(response);
    expect(error).toMatchObject({ code: 'invalid_input', field: 'briefText.criteria.0.weight' });
    expect(broken.split('\n')[(error.line as number) - 1]).toContain('weight: high');
    expect(json<ExplorationsResponse>(await t.browser('/api/explorations')).explorations).toEqual([]);
  });

  it('lints brief text, parse problems included, without duplicating the CLI rules', async () => {
    const clean = json<LintResponse>(await t.browser('/api/lint', { body: { text: LIGHTHOUSE } }));
    expect(clean.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const command = json<LintResponse>(await t.browser('/api/lint', { body: { text: LIGHTHOUSE.replace(/question: >-\n.*\n.*\n/u, 'question: Write a story about a lighthouse.\n') } }));
    expect(command.findings.map((f) => f.code)).toContain('command-not-question');
    const broken = json<LintResponse>(await t.browser('/api/lint', { body: { text: LIGHTHOUSE.replace('weight: 3', 'weight: high') } }));
    expect(broken.findings[0]).toMatchObject({ code: 'invalid-brief', severity: 'error', field: 'criteria.0.weight' });
    expect(broken.findings[0]?.line).toBeGreaterThan(1);
  });

  it('answers 404 for an unknown exploration or candidate', async () => {
    for (const path of ['/api/explorations/xnope', '/api/explorations/xnope/brief', '/api/explorations/xnope/series', '/api/explorations/xnope/export', '/api/explorations/xnope/events']) {
      const response = await t.browser(path);
      expect(response.status, path).toBe(404);
      expect(json(response)).toMatchObject({ code: 'not_found' });
    }
    expect((await t.browser('/api/explorations/xnope/decisions', { body: { action: 'continue' } })).status).toBe(404);
    expect((await t.browser('/api/explorations/xnope/run', { body: {} })).status).toBe(404);
  });

  it('explores to a checkpoint, takes decisions with reasons, accepts, and exports the ledger', async () => {
    const started = await t.browser('/api/explorations', { body: { briefText: LIGHTHOUSE, seed: 7 } });
    expect(started.status, started.body).toBe(202);
    const { id } = json<StartedResponse>(started);
    const stream = await openEvents(t.port, `/api/explorations/${id}/events`, { cookie: t.cookie });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/text\/event-stream/u);
    await stream.until((m) => m.event === 'checkpoint.raised');
    await idle(t, id);

    let detail = json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`));
    expect(detail).toMatchObject({ status: 'awaiting', running: false, lastError: null });
    expect(detail.checkpoint?.reasons.length).toBeGreaterThan(0);
    expect(detail.label).toContain('rehearsal');
    expect(detail.candidates.length).toBeGreaterThan(3);
    const best = detail.board.cards[0]?.candidateId as string;

    // First decision: deepen the best, with a reason. Two at once: one is taken, the other is a
    // 409, since the first holds the exploration from recording the decision to the next checkpoint.
    const mark = stream.messages.length;
    const attempts = await Promise.all(
      ['the ending lands; push the voice', 'the ending lands; push the voice (again)'].map((reason) =>
        t.browser(`/api/explorations/${id}/decisions`, { body: { action: 'deepen', candidateIds: [best], reason, feedback: 'more salt' } }),
      ),
    );
    expect(attempts.map((a) => a.status).sort(), attempts.map((a) => a.body).join('\n')).toEqual([202, 409]);
    const first = attempts.find((a) => a.status === 202) as HttpResponse;
    expect(json(attempts.find((a) => a.status === 409) as HttpResponse)).toMatchObject({ code: 'conflict' });
    const firstReason = json<DecisionResponse>(first).decision.reason as string;
    expect(json<DecisionResponse>(first).decision).toMatchObject({ action: 'deepen', candidateIds: [best], reason: expect.stringContaining('the ending lands') });
    await runEnds(stream, mark);

    detail = json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`));
    const deepened = detail.candidates.find((c) => c.parentIds[0] === best && c.kind === 'deepen');
    expect(deepened, 'the deepen decision produced a child of the best').toBeDefined();
    const candidate = json<CandidateDetail>(await t.browser(`/api/explorations/${id}/candidates/${deepened?.id ?? ''}`));
    const parent = json<CandidateDetail>(await t.browser(`/api/explorations/${id}/candidates/${best}`));
    expect(candidate.parentText).toBe(parent.candidate.text);
    expect(candidate.cost.calls).toBeGreaterThanOrEqual(2);
    expect(candidate.cost.tokens).toBeGreaterThan(0);
    const opening = detail.candidates.find((c) => c.kind === 'open')?.id ?? '';
    expect(json<CandidateDetail>(await t.browser(`/api/explorations/${id}/candidates/${opening}`)).parentText).toBeNull();
    expect(JSON.stringify(candidate)).not.toContain('embedding');
    expect((await t.browser(`/api/explorations/${id}/candidates/c999`)).status).toBe(404);

    // Second decision, then accept.
    expect(detail.status).toBe('awaiting');
    const beforeAgain = stream.messages.length;
    const again = await t.browser(`/api/explorations/${id}/decisions`, { body: { action: 'deepen', candidateIds: [detail.board.cards[0]?.candidateId], reason: 'keep looking for a stranger ending' } });
    expect(again.status, again.body).toBe(202);
    await runEnds(stream, beforeAgain);
    detail = json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`));
    expect(detail.status).toBe('awaiting');
    const finalBest = detail.board.cards[0]?.candidateId as string;
    const accept = await t.browser(`/api/explorations/${id}/decisions`, { body: { action: 'accept', candidateIds: [finalBest], reason: 'a keeper a reader remembers' } });
    expect(accept.status, accept.body).toBe(202);
    await stream.until((m) => m.event === 'exploration.ended');
    detail = json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`));
    expect(detail.status).toBe('accepted');
    const reasons = detail.ledger.flatMap((e) => (e.decision?.reason ? [e.decision.reason] : []));
    expect(reasons).toEqual(expect.arrayContaining([firstReason, 'keep looking for a stranger ending', 'a keeper a reader remembers']));
    expect(reasons.filter((r) => r.startsWith('the ending lands')), 'the refused decision left no trace').toEqual([firstReason]);

    const markdown = await t.browser(`/api/explorations/${id}/export?format=md`);
    expect(markdown.headers['content-type']).toMatch(/text\/markdown/u);
    for (const reason of reasons) expect(markdown.body).toContain(reason);
    const exported = await t.browser(`/api/explorations/${id}/export?format=json`);
    expect(exported.headers['content-type']).toMatch(/application\/json/u);
    expect(JSON.stringify(json(exported))).toContain('a keeper a reader remembers');
    expect((await t.browser(`/api/explorations/${id}/export?format=pdf`)).status).toBe(400);

    const brief = json<{ briefId: string; source: string }>(await t.browser(`/api/explorations/${id}/brief`));
    expect(brief.source).toBe(LIGHTHOUSE);
    const series = json<SeriesResponse>(await t.browser(`/api/explorations/${id}/series`));
    expect(series.points.length).toBe(detail.candidates.filter((c) => c.quality !== null).length);
    for (const [i, point] of series.points.entries()) {
      expect(point.move).toBe(i + 1);
      expect(point.bestQuality).toBeGreaterThanOrEqual(series.points[i - 1]?.bestQuality ?? 0);
    }
    expect(series.points.at(-1)?.calls).toBeGreaterThan(0);

    const list = json<ExplorationsResponse>(await t.browser('/api/explorations'));
    expect(list.explorations).toEqual([expect.objectContaining({ id, status: 'accepted', running: false, candidates: detail.candidates.length, question: expect.stringContaining('lighthouse') })]);
    stream.close();
  });

  it('reports a failing run (the provider refuses the key) in the detail and on the stream, and keeps serving', async () => {
    const briefText = LIGHTHOUSE.replace('model: rehearsal', 'model: openai:gpt-4o-mini').replace('judge: rehearsal', 'judge: openai:gpt-4o-mini');
    const started = await t.browser('/api/explorations', { body: { briefText, seed: 3 } });
    expect(started.status, started.body).toBe(202);
    const { id } = json<StartedResponse>(started);
    await idle(t, id);
    const detail = json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`));
    expect(detail.running).toBe(false);
    // Resuming fails the same way, and the stream says so.
    const stream = await openEvents(t.port, `/api/explorations/${id}/events`, { cookie: t.cookie });
    await stream.until((m) => m.event === 'ready');
    expect((await t.browser(`/api/explorations/${id}/run`, { body: {} })).status).toBe(202);
    const failed = await stream.until((m) => m.event === 'status' && m.data.includes('"failed"'), 120_000);
    stream.close();
    expect(detail.lastError).toMatch(/openai/iu);
    expect(failed.data).toContain(JSON.stringify(detail.lastError).slice(1, -1));
    expect(detail.lastError).not.toMatch(/\n\s+at /u);
    expect(detail.lastError).not.toContain(LEAK_KEY);
    expect((await t.browser('/api/session')).status).toBe(200);
  }, 180_000);

  it('never sends the provider key to the browser', () => {
    expect(t.responses.length).toBeGreaterThan(20);
    for (const response of t.responses) {
      expect(response.body).not.toContain(LEAK_KEY);
      expect(JSON.stringify(response.headers)).not.toContain(LEAK_KEY);
    }
  });
});

describe('baton serve: decisions the API refuses, and a redirect with an edited brief', async () => {
  const t = await testServer();

  it('names the body field of an impossible decision, and redirects to a new brief version', async () => {
    const { id } = json<StartedResponse>(await t.browser('/api/explorations', { body: { briefText: LIGHTHOUSE, seed: 2 } }));
    const stream = await openEvents(t.port, `/api/explorations/${id}/events`, { cookie: t.cookie });
    await idle(t, id);
    const decide = (body: unknown) => t.browser(`/api/explorations/${id}/decisions`, { body });
    const detail = json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`));
    const card = detail.board.cards[0]?.candidateId as string;

    const combineOne = await decide({ action: 'combine', candidateIds: [card], reason: 'x' });
    expect(combineOne.status).toBe(400);
    expect(json(combineOne)).toMatchObject({ code: 'invalid_input', field: 'candidateIds' });
    expect(json(await decide({ action: 'deepen', candidateIds: ['c999'] }))).toMatchObject({ field: 'candidateIds' });
    expect(json(await decide({ action: 'redirect' }))).toMatchObject({ field: 'briefText' });
    const badBrief = await decide({ action: 'redirect', briefText: LIGHTHOUSE.replace('attention: 4', 'attention: lots') });
    expect(badBrief.status).toBe(400);
    expect(json(badBrief)).toMatchObject({ field: 'briefText.attention', line: expect.any(Number) });
    expect(json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`)).ledger.filter((e) => e.decision)).toEqual([]);

    const edited = LIGHTHOUSE.replace('Stories run 250–600 words', 'Stories run 250–500 words');
    const mark = stream.messages.length;
    const redirect = await decide({ action: 'redirect', briefText: edited, reason: 'the anthology shortened its stories' });
    expect(redirect.status, redirect.body).toBe(202);
    await runEnds(stream, mark);
    stream.close();
    const brief = json<{ briefId: string; source: string }>(await t.browser(`/api/explorations/${id}/brief`));
    expect(brief.source).toBe(edited);
    expect(brief.briefId).not.toBe(detail.brief.id);
    const after = json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`));
    expect(after.ledger.map((e) => e.decision?.reason)).toContain('the anthology shortened its stories');
  });
});
