/**
 * Baton's public library API. Everything the CLI does goes through these exports; internals are
 * not exported.
 */
export { Baton, lensesFor } from './baton.js';
export type { BatonOptions, DecideOptions, LeasedOutcome, ReframeResult, ReopenOptions, ReverseOptions, RunOptions, StartOptions } from './baton.js';
export type { CandidateView, ExplorationView, TreeEntry } from './steer/views.js';

export { BatonError, EXIT, ERROR_CODES, formatLocation, isBatonError } from './errors.js';
export type { ErrorCode, SourceLocation } from './errors.js';

export { parseBrief, readBriefFile, safeParseBrief } from './brief/parse.js';
export { lintBrief, hasErrors } from './brief/lint.js';
export type { LintFinding } from './brief/lint.js';
export { BUILT_IN_LENSES, chooseLenses, resolveLenses } from './brief/lenses.js';
export { briefTemplate } from './brief/template.js';
export { briefJsonSchema } from './brief/json-schema.js';
export type { Brief, Budget, CodeCheck, Constraint, Criterion, Lens } from './brief/schema.js';
export { juryOf } from './brief/schema.js';

export type { AnswerSchema, ChatMessage, EmbeddingPort, ModelInfo, ModelPort, ModelRequest, ModelResponse, ModelTask, Usage } from './models/port.js';
export { resolveModel, providerIds } from './models/registry.js';
export { createLocalEmbedding } from './models/local-embedding.js';

export type { ExplorationEvent, ExplorationStatus, Reopening, StoredEvent } from './explore/events.js';
export type { Candidate, CriterionScore, Flag, Judgment, JurorScore, MoveKind, PlannedMove } from './explore/types.js';
export { measureJudgeBias } from './explore/judge-bias.js';
export type { JudgeBiasReport } from './explore/judge-bias.js';
export { fitBradleyTerry } from './explore/pairwise.js';
export type { BradleyTerryFit, Comparison } from './explore/pairwise.js';
export type { Progress } from './explore/engine.js';

export type { AssumedItem, Assumption, Board, BoardCard, Checkpoint, Decision, DecisionAction, DecisionInput, PairwiseRanking, PilotSummary, Reversal, Spend, TriggerKind, TriggerSignal } from './steer/types.js';
export { DECISION_ACTIONS, TRIGGER_KINDS } from './steer/types.js';
export type { RunOutcome } from './steer/steering.js';
export type { ExportDocument } from './steer/export.js';
export type { LedgerEntry } from './steer/ledger.js';

export { openSqliteStore, defaultDbPath } from './store/sqlite-store.js';
export type { AcquireLeaseOptions, BriefVersion, ExplorationRecord, Lease, LeaseAttempt, LeaseClaim, SpendTotals, Store } from './store/store.js';
export type { SqliteStoreOptions } from './store/sqlite-store.js';
export type { LeaseSettings } from './store/lease-keeper.js';

export { startServer } from './server/server.js';
export type { RunningServer, ServeOptions } from './server/server.js';
export type * from './server/contract.js';
