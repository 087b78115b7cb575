import type { Reopening } from '../explore/events.js';
import { z } from 'zod';
import type { ExplorationStatus } from '../explore/events.js';
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
});
export type DecisionBody = z.infer<typeof DecisionBody>;

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

export type ApiErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'provider_failure'
  | 'budget_exhausted'
  | 'internal';

export const ERROR_STATUS: Record<ApiErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  provider_failure: 502,
  budget_exhausted: 402,
  internal: 500,
};

/** `GET /api/session` */
export interface SessionResponse {
  csrfToken: string;
  version: string;
}

export interface SpendSummary {
  calls: number;
  tokens: number;
  usd: number;
  possiblyBilled: number;
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
  /** True while this server runs it in the background. */
  running: boolean;
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
  /** True while a background run (or a decision's run) is going. */
  running: boolean;
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
