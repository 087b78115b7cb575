import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Baton, DecideOptions } from '../baton.js';
import type { LintFinding } from '../brief/lint.js';
import { isBatonError } from '../errors.js';
import { candidateCost, explorationSeries } from '../steer/series.js';
import type { ExplorationRecord } from '../store/store.js';
import { VERSION } from '../version.js';
import type {
  ApiLintFinding,
  DecisionBody as DecisionBodyType,
  BriefResponse,
  CandidateDetail,
  DecisionResponse,
  ReopenResponse,
  ExplorationDetail,
  ExplorationsResponse,
  ExplorationSummary,
  JudgeBiasEstimateResponse,
  JudgeBiasResponse,
  LintResponse,
  SeriesResponse,
  SessionResponse,
  StartedResponse,
} from './contract.js';
import { DecisionBody, EventsQuery, ExportQuery, JudgeBiasBody, LintBody, ReopenBody, StartExplorationBody } from './contract.js';
import type { CommitSignal } from './event-stream.js';
import { streamEvents } from './event-stream.js';
import { HttpProblem, jsonBody, validate } from './problems.js';
import { manageRoutes } from './api-manage.js';
import { liveStatusOf, spendSummary } from './live-status.js';
import type { BackgroundRuns } from './runs.js';
import type { Secrets } from './security.js';
import { actorOf } from './security.js';
import { actorField, shareWithStarter, visibleTo } from '../team/people.js';

/**
 * The JSON API: a thin shell over the library (`Baton`). It parses and validates input, calls
 * the facade, and shapes the answer; exploring happens in `BackgroundRuns`.
 */

export interface ApiDeps {
  baton: Baton;
  runs: BackgroundRuns;
  commits: CommitSignal;
  secrets: Secrets;
  pollMs: number;
  heartbeatMs: number;
  /** Event streams in progress, so that closing the server can let them end cleanly. */
  streams: Set<Promise<void>>;
}

export function apiRoutes(deps: ApiDeps): Hono {
  const { baton, runs } = deps;
  const api = new Hono();

  api.get('/session', (c) => {
    const actor = actorOf(c.req.raw);
    return c.json<SessionResponse>({ csrfToken: deps.secrets.csrfToken, version: VERSION, person: actor.kind === 'person' ? actor.name : null });
  });

  api.get('/explorations', async (c) => {
    // A person sees what is shared with them; the owner sees everything.
    const visible = await visibleTo(baton.store, actorOf(c.req.raw));
    const records = (await baton.list()).filter((r) => visible?.has(r.id) ?? true);
    const explorations = await Promise.all(records.map((record) => summaryOf(deps, record)));
    return c.json<ExplorationsResponse>({ explorations });
  });

  api.post('/explorations', async (c) => {
    const body = validate(StartExplorationBody, await jsonBody(c));
    const start: Parameters<Baton['startFromSource']>[1] = {};
    if (body.seed !== undefined) start.seed = body.seed;
    if (body.model !== undefined) start.model = body.model;
    const id = await baton.startFromSource(body.briefText, start).catch((error: unknown) => {
      // The facade names the override as the CLI flag; the request calls it `model`.
      if (isBatonError(error) && error.location?.field?.startsWith('--')) throw new HttpProblem(error.code, error.message, 'model');
      return locateIn('briefText')(error);
    });
    await shareWithStarter(baton, actorOf(c.req.raw), id);
    await runs.run(id);
    return c.json<StartedResponse>({ id }, 202);
  });

  api.get('/explorations/:id', async (c) => {
    const view = await baton.show(c.req.param('id'));
    const id = view.record.id;
    const status = view.record.status;
    const lease = await runs.leaseOf(id);
    const live = liveStatusOf(view.record, runs.isRunning(id), lease);
    const detail: ExplorationDetail = {
      ...view,
      status,
      running: live.state === 'running-here' || live.state === 'running-elsewhere',
      lease,
      live,
      checkpoints: checkpointsIn(view.ledger),
      spend: spendSummary(view.board.spend, live),
      checkpoint: status === 'awaiting' && view.board.checkpointId ? { id: view.board.checkpointId, reasons: view.board.reasons } : null,
      lastError: runs.lastError(id),
    };
    return c.json(detail);
  });

  api.get('/explorations/:id/candidates/:cid', async (c) => {
    const view = await baton.candidate(c.req.param('id'), c.req.param('cid')).catch((error: unknown) => {
      // An unknown candidate in a URL is a missing resource, not a bad field.
      if (isBatonError(error) && error.code === 'invalid_input') throw new HttpProblem('not_found', error.message, 'candidate');
      throw error;
    });
    const parentId = view.candidate.parentIds[0];
    const [parent, calls] = await Promise.all([
      parentId === undefined ? undefined : baton.store.getCandidate(parentId),
      baton.store.listCalls(view.candidate.explorationId),
    ]);
    return c.json<CandidateDetail>({ ...view, parentText: parent?.text ?? null, cost: candidateCost(view.candidate, calls) });
  });

  api.post('/explorations/:id/decisions', async (c) => {
    const body = validate(DecisionBody, await jsonBody(c));
    const id = await baton.resolveId(c.req.param('id'));
    const decision = await runs.decide(id, { ...decideOptions(body), ...actorField(actorOf(c.req.raw)) }).catch(decisionProblem);
    return c.json<DecisionResponse>({ decision }, 202);
  });

  api.post('/explorations/:id/reopen', async (c) => {
    const body = validate(ReopenBody, await jsonBody(c));
    const id = await baton.resolveId(c.req.param('id'));
    const reopening = await runs.reopen(id, {
      ...(body.budget !== undefined ? { budget: withoutUndefined(body.budget) } : {}),
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
    });
    return c.json<ReopenResponse>({ reopening }, 202);
  });

  api.post('/explorations/:id/run', async (c) => {
    const id = await baton.resolveId(c.req.param('id'));
    await runs.run(id);
    return c.json<StartedResponse>({ id }, 202);
  });

  api.get('/explorations/:id/export', async (c) => {
    const { format } = validate(ExportQuery, c.req.query());
    const text = await baton.export(c.req.param('id'), format);
    const type = format === 'json' ? 'application/json; charset=utf-8' : 'text/markdown; charset=utf-8';
    return c.body(text, 200, { 'Content-Type': type });
  });

  api.get('/explorations/:id/brief', async (c) => {
    const record = await recordOf(baton, c.req.param('id'));
    const version = await baton.store.getBrief(record.currentBriefId);
    if (!version) throw new HttpProblem('not_found', `brief ${record.currentBriefId} is missing`);
    return c.json<BriefResponse>({ briefId: version.id, source: version.source });
  });

  api.get('/explorations/:id/series', async (c) => {
    const id = await baton.resolveId(c.req.param('id'));
    const [events, calls] = await Promise.all([baton.store.readEvents(id), baton.store.listCalls(id)]);
    return c.json<SeriesResponse>({ points: explorationSeries(events, calls) });
  });

  api.get('/explorations/:id/events', async (c) => {
    const id = await baton.resolveId(c.req.param('id'));
    // EventSource reconnects to the same URL with Last-Event-ID: the later of the two wins.
    const { after: fromQuery } = validate(EventsQuery, c.req.query());
    const lastEventId = c.req.header('last-event-id');
    const { after: fromHeader } = validate(EventsQuery, lastEventId !== undefined ? { after: lastEventId } : {});
    const after = Math.max(fromQuery ?? 0, fromHeader ?? 0);
    return streamSSE(c, async (stream) => {
      const streaming = streamEvents(stream, {
        store: baton.store,
        explorationId: id,
        after,
        signal: deps.commits,
        onStatus: (listener) => runs.onStatus(listener),
        pollMs: deps.pollMs,
        heartbeatMs: deps.heartbeatMs,
      });
      deps.streams.add(streaming);
      try {
        await streaming;
      } finally {
        deps.streams.delete(streaming);
      }
    });
  });

  api.post('/lint', async (c) => {
    const { text } = validate(LintBody, await jsonBody(c));
    return c.json<LintResponse>({ findings: (await baton.lintSource(text)).map(apiFinding) });
  });

  // Real model calls, not part of any exploration: only on an explicit POST, refused up front
  // when their worst case could pass `maxUsd`; the answer says what they spent.
  api.post('/judge-bias', async (c) => {
    const body = validate(JudgeBiasBody, await jsonBody(c));
    if (body.estimateOnly === true) return c.json<JudgeBiasEstimateResponse>(await baton.estimateJudgeBias(body.judge));
    const options = { signal: c.req.raw.signal, ...(body.maxUsd !== undefined ? { maxUsd: body.maxUsd } : {}) };
    return c.json<JudgeBiasResponse>(await baton.checkJudgeBias(body.judge, options));
  });

  manageRoutes(api, { baton, runs });

  api.all('*', () => {
    throw new HttpProblem('not_found', 'no such API route');
  });
  return api;
}

function decideOptions(body: DecisionBodyType): DecideOptions {
  const options: DecideOptions = { action: body.action };
  if (body.candidateIds !== undefined) options.candidateIds = body.candidateIds;
  if (body.reason !== undefined) options.reason = body.reason;
  if (body.feedback !== undefined) options.feedback = body.feedback;
  if (body.lens !== undefined) options.lens = body.lens;
  if (body.briefText !== undefined) options.briefSource = body.briefText;
  if (body.checkpointId !== undefined) options.checkpointId = body.checkpointId;
  return options;
}

async function recordOf(baton: Baton, idOrPrefix: string): Promise<ExplorationRecord> {
  const id = await baton.resolveId(idOrPrefix);
  const record = await baton.store.getExploration(id);
  if (!record) throw new HttpProblem('not_found', `no exploration "${idOrPrefix}"`, 'exploration');
  return record;
}

async function summaryOf(deps: ApiDeps, record: ExplorationRecord): Promise<ExplorationSummary> {
  const store = deps.baton.store;
  const [brief, candidates, spend, lease] = await Promise.all([
    store.getBrief(record.currentBriefId),
    store.listCandidates(record.id),
    store.spend(record.id),
    deps.runs.leaseOf(record.id),
  ]);
  const live = liveStatusOf(record, deps.runs.isRunning(record.id), lease);
  return {
    id: record.id,
    briefId: record.currentBriefId,
    question: brief?.brief.question ?? record.title,
    status: record.status,
    label: modelsLabel(record),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    candidates: candidates.length,
    spend: spendSummary(spend, live),
    running: live.state === 'running-here' || live.state === 'running-elsewhere',
    lease,
    live,
    title: record.title,
    archivedAt: record.archivedAt ?? null,
    forkOf: record.forkOf ?? null,
  };
}

/** The checkpoints in a ledger, numbered from 1 as `baton fork --at` counts them. */
function checkpointsIn(ledger: ExplorationDetail['ledger']): ExplorationDetail['checkpoints'] {
  return ledger
    .filter((entry) => entry.kind === 'checkpoint' && entry.checkpointId !== null)
    .map((entry, index) => ({ id: entry.checkpointId ?? '', number: index + 1, createdAt: entry.raisedAt ?? '', reasons: entry.reasons.map((r) => r.kind) }));
}

/** The models of an exploration, `rehearsal` first whenever it is one of them. */
function modelsLabel(record: ExplorationRecord): string {
  const models = [...new Set([record.model, record.judge])];
  if (models.length === 1 && models[0] === 'rehearsal') return 'rehearsal';
  return models.some((m) => m.startsWith('rehearsal')) ? `rehearsal (${models.join(', ')})` : models.join(', ');
}

function apiFinding(finding: LintFinding): ApiLintFinding {
  const { line, column, field } = finding.location;
  return { code: finding.code, severity: finding.severity, message: finding.message, line, column, field, suggestion: finding.suggestion };
}

/** A brief problem's field is inside the brief: say which request field held the brief. */
function locateIn(bodyField: string): (error: unknown) => never {
  return (error) => {
    if (isBatonError(error) && error.code === 'invalid_input' && error.location?.line !== undefined) {
      const inner = error.location.field;
      const problem = new HttpProblem('invalid_input', error.message, inner ? `${bodyField}.${inner}` : bodyField);
      problem.body.line = error.location.line;
      if (error.location.column !== undefined) problem.body.column = error.location.column;
      throw problem;
    }
    throw error;
  };
}

/** The facade names decision fields as the CLI does; name them as the request body does. */
const DECISION_FIELDS: Record<string, string> = { candidates: 'candidateIds', candidate: 'candidateIds', brief: 'briefText' };

function withoutUndefined(budget: { calls?: number | undefined; tokens?: number | undefined; usd?: number | undefined }): { calls?: number; tokens?: number; usd?: number } {
  const out: { calls?: number; tokens?: number; usd?: number } = {};
  if (budget.calls !== undefined) out.calls = budget.calls;
  if (budget.tokens !== undefined) out.tokens = budget.tokens;
  if (budget.usd !== undefined) out.usd = budget.usd;
  return out;
}

function decisionProblem(error: unknown): never {
  if (isBatonError(error) && error.location?.line !== undefined) locateIn('briefText')(error);
  const field = isBatonError(error) ? error.location?.field : undefined;
  if (isBatonError(error) && field !== undefined && DECISION_FIELDS[field] !== undefined) {
    throw new HttpProblem(error.code, error.message, DECISION_FIELDS[field]);
  }
  throw error;
}
