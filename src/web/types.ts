/**
 * The API's types, seen from the browser. Type-only imports: nothing of the library's runtime
 * (Node, SQLite, zod) is bundled into the UI.
 */
export type {
  ApiError,
  ApiLintFinding,
  BriefResponse,
  CandidateDetail,
  DecisionResponse,
  ExplorationDetail,
  ExplorationSummary,
  ExplorationLease,
  ExplorationsResponse,
  LiveState,
  LiveStatus,
  JudgeBiasEstimateResponse,
  JudgeBiasResponse,
  LintResponse,
  RunStatus,
  SeriesPoint,
  SeriesResponse,
  SessionResponse,
  StartedResponse,
  StreamedEvent,
} from '../server/contract.js';
export type { CandidateView, ExplorationView, TreeEntry } from '../steer/views.js';
export type { Board, BoardCard, Decision, DecisionAction, LensCoverage, TriggerSignal } from '../steer/types.js';
export type { LedgerEntry } from '../steer/ledger.js';
export type { CriterionScore } from '../explore/types.js';
