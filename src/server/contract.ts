import type { Reopening } from '../explore/events.js';
import { z } from 'zod';
import type { ExplorationStatus } from '../explore/events.js';
import type { ErrorCode } from '../errors.js';
import { ERROR_CODES } from '../errors.js';
import type { ExplorationView, CandidateView } from '../steer/views.js';
import type { CandidateCost, SeriesPoint } from '../steer/series.js';
import type { Decision, TriggerSignal } from '../steer/types.js';
import { DECISION_ACTIONS } from '../steer/types.js';

/**
 * The HTTP API between `baton serve` and the web UI: request schemas (zod, validated by the
 * server) and response types. Browser-safe: no Node imports, so the UI can import it (types
 * with `import type`, schemas if it wants to validate forms the same way).
 *
 * Every state-changing request (POST) carries `X-Baton-CSRF: <csrfToken from GET /api/session>`
 * and a same-origin `Origin`. Errors are `ApiError` with the status in `ERROR_STATUS`.
 */

export const CSRF_HEADER = 'x-baton-csrf';

/** A brief's Markdown is at most 1 MiB, as on disk. */
const BRIEF_TEXT = z.string().min(1, 'the brief is empty').max(1024 * 1024, 'the brief is over 1 MiB');

/** `POST /api/explorations` */
export const StartExplorationBody = z.strictObject({
  briefText: BRIEF_TEXT,
  seed: z.int().min(0).max(2 ** 31 - 1).optional(),
  /** `provider:model`, overriding the brief's writer and judge. */
  model: z.string().min(1).max(200).optional(),
});
export type StartExplorationBody = z.infer<typeof StartExplorationBody>;

/** `POST /api/explorations/:id/decisions` */
export const DecisionBody = z.strictObject({
  action: z.enum(DECISION_ACTIONS),
  candidateIds: z.array(z.string().min(1).max(200)).max(100).optional(),
  reason: z.string().max(10_000).optional(),
  feedback: z.string().max(10_000).optional(),
  /** For `lens`: a built-in lens id or the text of a new lens. */
  lens: z.string().max(2_000).optional(),
  /** For `redirect`: the edited brief's Markdown. */
  briefText: BRIEF_TEXT.optional(),
  /** The checkpoint whose board the person answered: refused (409) once it is no longer open. */
  checkpointId: z.string().min(1).max(200).optional(),
});
export type DecisionBody = z.infer<typeof DecisionBody>;

/** `PATCH /api/explorations/:id`: rename and/or archive. */
export const UpdateExplorationBody = z
  .strictObject({
    title: z.string().trim().min(1, 'the title is empty').max(200, 'the title is over 200 characters').optional(),
    archived: z.boolean().optional(),
  })
  .refine((body) => body.title !== undefined || body.archived !== undefined, { message: 'nothing to change: give a title or archived' });
export type UpdateExplorationBody = z.infer<typeof UpdateExplorationBody>;

/** `POST /api/explorations/:id/fork` (201) */
export const ForkBody = z.strictObject({
  /** A checkpoint id, or its number (1 = the first); the latest when absent. */
  at: z.string().min(1).max(200).optional(),
  title: z.string().trim().min(1, 'the title is empty').max(200, 'the title is over 200 characters').optional(),
});
export type ForkBody = z.infer<typeof ForkBody>;

/** `DELETE /api/explorations/:id?confirm=<id>`: the id again, so a stray request deletes nothing. */
export const DeleteQuery = z.object({ confirm: z.string().min(1, 'confirm with the exploration id') });

/** `POST /api/explorations/:id/reopen`: continue an ended exploration, with budget added to the brief's. */
export const ReopenBody = z.strictObject({
  budget: z
    .strictObject({
      calls: z.number().int().positive().max(1_000_000).optional(),
      tokens: z.number().int().positive().max(1_000_000_000).optional(),
      usd: z.number().positive().max(1_000_000).optional(),
    })
    .optional(),
  reason: z.string().max(10_000).optional(),
});
export type ReopenBody = z.infer<typeof ReopenBody>;

/** `POST /api/lint` */
export const LintBody = z.strictObject({ text: z.string().max(1024 * 1024, 'the brief is over 1 MiB') });
export type LintBody = z.infer<typeof LintBody>;

/** `POST /api/judge-bias`: the judge bias check, its estimate only (no call) or run within `maxUsd`. */
export const JudgeBiasBody = z.strictObject({
  judge: z.string().trim().min(1, 'name a judge, e.g. openai:gpt-4o-mini').max(200),
  maxUsd: z.number().positive().max(1_000).optional(),
  estimateOnly: z.boolean().optional(),
});
export type JudgeBiasBody = z.infer<typeof JudgeBiasBody>;

/** The answer to `POST /api/judge-bias` with `estimateOnly`: the calls it would make and the most they can cost. */
export interface JudgeBiasEstimateResponse {
  judge: string;
  rehearsal: boolean;
  calls: number;
  worstCaseUsd: number;
}

/** The answer to `POST /api/judge-bias`: what was measured, in numbers and plain words, and what it spent. */
export interface JudgeBiasResponse extends JudgeBiasEstimateResponse {
  /** Mean change of the mean criterion score (0–10) when a text is padded; null when not measured. */
  lengthShift: number | null;
  lengthPairs: number;
  comparisons: number;
  firstChosen: number;
  consistentPairs: number;
  pairs: number;
  /** Plain words for a person. */
  length: string;
  position: string;
  spend: { calls: number; inputTokens: number; outputTokens: number; usd: number; estimated: boolean };
}

/** `GET /api/explorations/:id/export?format=md|json` */
export const ExportQuery = z.object({ format: z.enum(['md', 'json']).default('md') });

/** `GET /api/explorations/:id/events?after=SEQ` (or the `Last-Event-ID` header). */
export const EventsQuery = z.object({ after: z.coerce.number().int().min(0).optional() });

// ── Responses ───────────────────────────────────────────────────────────────────────────────

/** Every error the API returns. `field` is the offending field's dotted path when known. */
export interface ApiError {
  code: ApiErrorCode;
  message: string;
  field?: string;
  /** For brief problems: where in the Markdown (1-based). */
  line?: number;
  column?: number;
}

export type ApiErrorCode = ErrorCode | 'unauthorized' | 'forbidden';

/** HTTP statuses: Baton's codes from the one table in `errors.ts`, plus the server's own doors. */
export const ERROR_STATUS: Record<ApiErrorCode, number> = {
  ...Object.fromEntries(Object.entries(ERROR_CODES).map(([code, info]) => [code, info.status])),
  unauthorized: 401,
  forbidden: 403,
} as Record<ApiErrorCode, number>;

/** `GET /api/session` */
export interface SessionResponse {
  csrfToken: string;
  version: string;
  /** The person signed in on a shared server; null for the owner (the launch token). */
  person?: string | null;
}

export interface SpendSummary {
  calls: number;
  tokens: number;
  usd: number;
  /** Calls with no result while nobody is exploring: cut off by a crash, possibly billed. */
  possiblyBilled: number;
  /** Of `calls`, those whose provider reported no usage: their tokens and dollars are estimated. */
  estimatedCalls: number;
  /** Calls with no result while a run holds the exploration: answers still to come. */
  inFlight: number;
}

/** Who explores an exploration now (its lease): this server's background run, or another process. */
export interface LeaseInfo {
  pid: number;
  host: string;
  since: string;
  heartbeat: string;
  /** True when another process (not this server) holds it: the UI offers no run or decision button then. */
  elsewhere: boolean;
}

/**
 * Who is exploring an exploration now, as the UI shows it: from the per-exploration lease the
 * store keeps. Null when nobody holds it.
 */
export interface ExplorationLease {
  pid: number;
  host: string;
  /** When the holder took the lease (ISO time). */
  since: string;
  /** The holder's last sign of life (ISO time). */
  heartbeatAt: string;
}

/**
 * An exploration's live state, from the store rather than this server's memory:
 * - `running-here`: this server is exploring it;
 * - `running-elsewhere`: another process holds its lease (`lease` says who, since when);
 * - `awaiting`: at a checkpoint, waiting for a decision;
 * - `paused`: stopped between checkpoints (interrupted); exploring resumes it;
 * - `ended`: accepted, exhausted or stopped.
 */
export type LiveState = 'running-here' | 'running-elsewhere' | 'awaiting' | 'paused' | 'ended';

export interface LiveStatus {
  state: LiveState;
  lease: ExplorationLease | null;
}

export interface ExplorationSummary {
  id: string;
  briefId: string;
  question: string;
  status: ExplorationStatus;
  /** The models in play; says `rehearsal` whenever the rehearsal model is one of them. */
  label: string;
  createdAt: string;
  updatedAt: string;
  candidates: number;
  spend: SpendSummary;
  /** True while it is being explored: by this server in the background, or by another process (`lease`). */
  running: boolean;
  lease: LeaseInfo | null;
  live: LiveStatus;
  title: string;
  archivedAt: string | null;
  forkOf: { explorationId: string; checkpointId: string } | null;
}

/** `GET /api/explorations` */
export interface ExplorationsResponse {
  explorations: ExplorationSummary[];
}

/** `POST /api/explorations`, `POST /api/explorations/:id/run` (202) */
export interface StartedResponse {
  id: string;
}

/** `GET /api/explorations/:id` */
export interface ExplorationDetail extends ExplorationView {
  status: ExplorationStatus;
  /** True while a background run (or a decision's run) is going, here or in another process (`lease`). */
  running: boolean;
  lease: LeaseInfo | null;
  live: LiveStatus;
  /** The checkpoints raised so far (id, when, why), oldest first: where a fork can start. */
  checkpoints: { id: string; number: number; createdAt: string; reasons: string[] }[];
  spend: SpendSummary;
  checkpoint: { id: string; reasons: TriggerSignal[] } | null;
  endReason: string | null;
  /** Why the last background run failed (a plain message), or null. */
  lastError: string | null;
}

/** `GET /api/explorations/:id/candidates/:cid` */
export interface CandidateDetail extends CandidateView {
  /** The first parent's text, to diff against; null for an opening. */
  parentText: string | null;
  /** The calls that wrote and judged it. */
  cost: CandidateCost;
}

/** `POST /api/explorations/:id/decisions` (202) */
export interface DecisionResponse {
  decision: Decision;
}

export interface ReopenResponse {
  reopening: Reopening;
}

/** `GET /api/explorations/:id/brief` */
export interface BriefResponse {
  briefId: string;
  source: string;
}

export interface ApiLintFinding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  line?: number;
  column?: number;
  field?: string;
  suggestion?: string;
}

/** `POST /api/lint` */
export interface LintResponse {
  findings: ApiLintFinding[];
}

export type { CandidateCost, SeriesPoint } from '../steer/series.js';

/** `GET /api/explorations/:id/series` */
export interface SeriesResponse {
  points: SeriesPoint[];
}

/**
 * `GET /api/explorations/:id/events` sends server-sent events:
 * - first `event: ready`, `data: {explorationId, after}` (no id);
 * - `id: <seq>`, `event: <event type>` (e.g. `candidate.added`), `data: StreamedEvent`;
 * - `event: status`, `data: RunStatus` when a background run starts, ends or fails;
 * - comments as heartbeats.
 * Reconnecting with `Last-Event-ID` (or `?after=SEQ`) resumes right after that event.
 */
export interface StreamedEvent {
  seq: number;
  at: string;
  type: string;
  /** The event as stored, without candidate embeddings. */
  event: Record<string, unknown>;
}

export interface RunStatus {
  explorationId: string;
  state: 'started' | 'finished' | 'failed';
  /** The exploration's status after the run (finished/failed). */
  status?: ExplorationStatus;
  /** A plain message when the run failed; never a stack trace. */
  message?: string;
  at: string;
}
