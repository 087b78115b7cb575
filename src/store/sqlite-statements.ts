import { SPEND_TOTALS_SELECT } from './spend-totals.js';
import type Database from 'better-sqlite3';
import { JUDGMENT_COLUMNS } from './sqlite-rows.js';
import type {
  BriefRow,
  CallRow,
  CandidateParentRow,
  CandidateRow,
  CheckpointRow,
  DecisionRow,
  EventRow,
  ExplorationRow,
  JudgmentRow,
  RawCandidateRow,
  RawJudgmentRow,
} from './sqlite-rows.js';

interface SpendRow {
  calls: number;
  tokens: number;
  usd: number;
  possibly_billed: number;
  possibly_billed_usd: number;
  estimated_calls: number;
}

type CallFinish = Pick<CallRow, 'key' | 'status' | 'input_tokens' | 'output_tokens' | 'usd' | 'latency_ms' | 'finished_at' | 'answer' | 'usage_estimated'>;

/**
 * Every statement the SQLite store runs, prepared once per open database: preparing is the
 * expensive part, and a move's commit runs several of them.
 */
type Params<P> = P extends unknown[] ? P : [P];

/**
 * The part of a prepared statement the store uses. better-sqlite3's own statement type cannot be
 * named in declaration files, so the statements are typed with this structural subset.
 */
export interface Statement<P, R> {
  run(...params: Params<P>): Database.RunResult;
  get(...params: Params<P>): R | undefined;
  all(...params: Params<P>): R[];
  iterate(...params: Params<P>): IterableIterator<R>;
}

function prepare<P extends unknown[] | object = unknown[], R = unknown>(db: Database.Database, sql: string): Statement<P, R> {
  return db.prepare(sql) as unknown as Statement<P, R>;
}

/** A statement that returns the first column only (`.pluck()`), typed the same way. */
function plucked<P extends unknown[] | object = unknown[], R = unknown>(db: Database.Database, sql: string): Statement<P, R> {
  return db.prepare(sql).pluck() as unknown as Statement<P, R>;
}

/**
 * A candidate with its embedding: from candidate_embeddings, or for rows written before it, the
 * float32 bytes in candidates.embedding. Columns in `CANDIDATE_COLUMNS` order.
 */
const CANDIDATE_SELECT = `SELECT c.id, c.exploration_id, c.move_id, c.kind, c.lens_id, c.depth, c.text,
         COALESCE(e.embedding, c.embedding) AS embedding, e.scale AS embedding_scale, c.model, c.created_at
  FROM candidates c LEFT JOIN candidate_embeddings e ON e.id = c.id`;

/** A statement that returns rows as arrays (`.raw()`), for the scans that read a whole exploration. */
function rawRows<P extends unknown[] | object = unknown[], R extends unknown[] = unknown[]>(db: Database.Database, sql: string): Statement<P, R> {
  return db.prepare(sql).raw() as unknown as Statement<P, R>;
}

/** A call with its output, from its own table (or, for rows written before it, from calls). */
const CALL_COLUMNS = `SELECT c.key, c.exploration_id, c.purpose, c.model, c.status, c.reserved_tokens, c.reserved_usd,
         COALESCE(o.output, c.output) AS output, c.input_tokens, c.output_tokens, c.usd, c.latency_ms, c.started_at, c.finished_at, c.answer, c.usage_estimated
  FROM calls c LEFT JOIN call_outputs o ON o.key = c.key`;

export function prepareStatements(db: Database.Database) {
  return {
    /**
     * Ids of move lenses already stored, by exploration and lens JSON: a wave plans its moves
     * with a handful of lenses, looked up once each rather than twice per move. Only rows that
     * existed before the writing transaction are cached (a rolled-back row never is).
     */
    moveLensIds: new Map<string, number>(),
    getBrief: prepare<[string], BriefRow>(db, 'SELECT * FROM briefs WHERE id = ?'),
    maxBriefVersion: plucked<[string], number | null>(db, 'SELECT MAX(version) FROM briefs WHERE lineage_id = ?'),
    insertBrief: prepare<BriefRow, never>(
      db,
      `INSERT INTO briefs (id, lineage_id, version, parent_id, path, source, brief_json, note, created_at)
       VALUES (@id, @lineage_id, @version, @parent_id, @path, @source, @brief_json, @note, @created_at)`,
    ),

    getExploration: prepare<[string], ExplorationRow>(db, 'SELECT * FROM explorations WHERE id = ?'),
    listExplorations: prepare<[], ExplorationRow>(db, 'SELECT * FROM explorations ORDER BY created_at DESC, rowid DESC'),
    explorationIdsByPrefix: plucked<{ prefix: string; limit: number }, string>(
      db,
      // substr, not LIKE: ids contain `_`, which LIKE treats as a wildcard.
      'SELECT id FROM explorations WHERE substr(id, 1, length(@prefix)) = @prefix ORDER BY id LIMIT @limit',
    ),
    insertExploration: prepare<ExplorationRow, never>(
      db,
      `INSERT INTO explorations (id, brief_id, current_brief_id, status, seed, model, judge, title, created_at, updated_at)
       VALUES (@id, @brief_id, @current_brief_id, @status, @seed, @model, @judge, @title, @created_at, @updated_at)`,
    ),
    updateExploration: prepare<Pick<ExplorationRow, 'id' | 'status' | 'current_brief_id' | 'updated_at'>, never>(
      db,
      'UPDATE explorations SET status = @status, current_brief_id = @current_brief_id, updated_at = @updated_at WHERE id = @id',
    ),

    // Positional parameters: binding by name looks each one up, on the hottest write.
    insertEvent: prepare<[string, string, string, string], never>(db, 'INSERT INTO events (exploration_id, type, payload_json, at) VALUES (?, ?, ?, ?)'),
    readEvents: prepare<{ exploration_id: string; after: number }, EventRow>(
      db,
      'SELECT * FROM events WHERE exploration_id = @exploration_id AND seq > @after ORDER BY seq',
    ),
    /** The whole log of an exploration: seq, type, payload_json, at. */
    wholeLog: rawRows<[string], [number, string, string, string]>(
      db,
      'SELECT seq, type, payload_json, at FROM events WHERE exploration_id = ? ORDER BY seq',
    ),

    insertMoveLens: prepare<[string, string], never>(
      db,
      'INSERT INTO move_lenses (exploration_id, lens_json) VALUES (?, ?) ON CONFLICT (exploration_id, lens_json) DO NOTHING',
    ),
    moveLensId: plucked<[string, string], number>(db, 'SELECT id FROM move_lenses WHERE exploration_id = ? AND lens_json = ?'),
    getMoveLens: prepare<[number], { exploration_id: string; lens_json: string }>(db, 'SELECT exploration_id, lens_json FROM move_lenses WHERE id = ?'),
    moveLensesByExploration: rawRows<[string], [number, string]>(db, 'SELECT id, lens_json FROM move_lenses WHERE exploration_id = ?'),

    getCandidate: prepare<[string], CandidateRow>(db, `${CANDIDATE_SELECT} WHERE c.id = ?`),
    candidateIdByMove: plucked<[string], string>(db, 'SELECT id FROM candidates WHERE move_id = ?'),
    candidatesByExploration: prepare<[string], CandidateRow>(db, `${CANDIDATE_SELECT} WHERE c.exploration_id = ? ORDER BY c.rowid`),
    rawCandidatesByExploration: rawRows<[string], RawCandidateRow>(db, `${CANDIDATE_SELECT} WHERE c.exploration_id = ? ORDER BY c.rowid`),
    insertCandidate: prepare<Omit<CandidateRow, 'embedding' | 'embedding_scale'>, never>(
      db,
      `INSERT INTO candidates (id, exploration_id, move_id, kind, lens_id, depth, text, embedding, model, created_at)
       VALUES (@id, @exploration_id, @move_id, @kind, @lens_id, @depth, @text, X'', @model, @created_at)`,
    ),
    insertCandidateEmbedding: prepare<{ id: string; embedding: Buffer; scale: number | null }, never>(
      db,
      'INSERT INTO candidate_embeddings (id, embedding, scale) VALUES (@id, @embedding, @scale)',
    ),
    parentIds: plucked<[string], string>(db, 'SELECT parent_id FROM candidate_parents WHERE candidate_id = ? ORDER BY position'),
    parentsByExploration: prepare<[string], CandidateParentRow>(
      db,
      `SELECT cp.candidate_id, cp.parent_id
       FROM candidates c JOIN candidate_parents cp ON cp.candidate_id = c.id
       WHERE c.exploration_id = ? ORDER BY cp.candidate_id, cp.position`,
    ),
    insertCandidateParent: prepare<{ candidate_id: string; parent_id: string; position: number }, never>(
      db,
      'INSERT INTO candidate_parents (candidate_id, parent_id, position) VALUES (@candidate_id, @parent_id, @position)',
    ),

    getJudgment: prepare<[string], JudgmentRow>(db, 'SELECT * FROM judgments WHERE id = ?'),
    /** Which exploration holds the row of a judgment id, if any. */
    judgmentHolder: prepare<[string], { exploration_id: string }>(db, 'SELECT exploration_id FROM judgments WHERE id = ?'),
    // The judgments an exploration made (a source does not list those its forks made of shared candidates).
    judgmentsByExploration: prepare<[string], JudgmentRow>(db, 'SELECT * FROM judgments WHERE exploration_id = ? ORDER BY rowid'),
    rawJudgmentsByExploration: rawRows<[string], RawJudgmentRow>(db, `SELECT ${JUDGMENT_COLUMNS} FROM judgments WHERE exploration_id = ? ORDER BY rowid`),
    insertJudgment: prepare<JudgmentRow, never>(
      db,
      `INSERT INTO judgments (id, exploration_id, judgment_id, candidate_id, brief_id, quality, scores_json, failed_json, flags_json,
                              critique, novelty, parent_similarity, judge, created_at)
       VALUES (@id, @exploration_id, @judgment_id, @candidate_id, @brief_id, @quality, @scores_json, @failed_json, @flags_json,
               @critique, @novelty, @parent_similarity, @judge, @created_at)`,
    ),

    getCheckpoint: prepare<[string], CheckpointRow>(db, 'SELECT * FROM checkpoints WHERE id = ?'),
    insertCheckpoint: prepare<CheckpointRow, never>(
      db,
      `INSERT INTO checkpoints (id, exploration_id, reasons_json, board_json, created_at)
       VALUES (@id, @exploration_id, @reasons_json, @board_json, @created_at)`,
    ),

    getDecision: prepare<[string], DecisionRow>(db, 'SELECT * FROM decisions WHERE id = ?'),
    insertDecision: prepare<DecisionRow, never>(
      db,
      `INSERT INTO decisions (id, exploration_id, checkpoint_id, action, candidate_ids_json, reason, feedback, lens,
                              brief_id, created_at, actor)
       VALUES (@id, @exploration_id, @checkpoint_id, @action, @candidate_ids_json, @reason, @feedback, @lens,
               @brief_id, @created_at, @actor)`,
    ),

    getCall: prepare<[string], CallRow>(db, `${CALL_COLUMNS} WHERE c.key = ?`),
    callsByExploration: prepare<[string], CallRow>(db, `${CALL_COLUMNS} WHERE c.exploration_id = ? ORDER BY c.rowid`),
    putCallOutput: prepare<[key: string, output: string], never>(
      db,
      'INSERT INTO call_outputs (key, output) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET output = excluded.output',
    ),
    releaseCallOutput: prepare<[string], never>(db, 'DELETE FROM call_outputs WHERE key = ?'),
    releaseLegacyCallOutput: prepare<[string], never>(db, "UPDATE calls SET output = NULL WHERE key = ? AND status = 'done' AND output IS NOT NULL"),
    /** Whether a call is recorded, and how far: the cheap question asked before every call. */
    callStatus: plucked<[string], string>(db, 'SELECT status FROM calls WHERE key = ?'),
    // Positional parameters in the per-call statements: binding by name looks each one up.
    beginCall: prepare<[key: string, explorationId: string | null, purpose: string, model: string, reservedTokens: number, reservedUsd: number, startedAt: string], never>(
      db,
      `INSERT OR IGNORE INTO calls (key, exploration_id, purpose, model, status, reserved_tokens, reserved_usd, started_at)
       VALUES (?, ?, ?, ?, 'intent', ?, ?, ?)`,
    ),
    finishCall: prepare<
      [status: string, inputTokens: number, outputTokens: number, usd: number, latencyMs: number, finishedAt: string, answer: string | null, estimated: number, key: string],
      never
    >(
      db,
      `UPDATE calls SET status = ?, output = NULL, input_tokens = ?, output_tokens = ?, usd = ?, latency_ms = ?, finished_at = ?, answer = ?, usage_estimated = ?
       WHERE key = ?`,
    ),
    insertFinishedCall: prepare<CallFinish & Pick<CallRow, 'exploration_id' | 'purpose' | 'model' | 'started_at'>, never>(
      db,
      `INSERT INTO calls (key, exploration_id, purpose, model, status, reserved_tokens, reserved_usd, output,
                          input_tokens, output_tokens, usd, latency_ms, started_at, finished_at, answer, usage_estimated)
       VALUES (@key, @exploration_id, @purpose, @model, @status, 0, 0, NULL,
               @input_tokens, @output_tokens, @usd, @latency_ms, @started_at, @finished_at, @answer, @usage_estimated)`,
    ),
    // Running totals kept by triggers on calls (see spend-totals.ts): one row, not a sum.
    spend: prepare<[string], SpendRow>(db, `${SPEND_TOTALS_SELECT}?`),

    getSnapshot: rawRows<[string], [number, number, Buffer, number]>(
      db,
      `SELECT s.seq, s.format, s.state, (SELECT COUNT(*) FROM events e WHERE e.exploration_id = s.exploration_id AND e.seq <= s.seq)
       FROM exploration_snapshots s WHERE s.exploration_id = ?`,
    ),
    putSnapshot: prepare<{ exploration_id: string; seq: number; format: number; state: Buffer; written_at: string }, never>(
      db,
      `INSERT INTO exploration_snapshots (exploration_id, seq, format, state, written_at) VALUES (@exploration_id, @seq, @format, @state, @written_at)
       ON CONFLICT (exploration_id) DO UPDATE SET seq = excluded.seq, format = excluded.format, state = excluded.state, written_at = excluded.written_at
       WHERE excluded.seq >= exploration_snapshots.seq`,
    ),

    getNote: plucked<[string], string>(db, 'SELECT value_json FROM notes WHERE key = ?'),
    putNote: prepare<{ key: string; value_json: string }, never>(
      db,
      `INSERT INTO notes (key, value_json) VALUES (@key, @value_json)
       ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json`,
    ),
    deleteNote: prepare<[string], never>(db, 'DELETE FROM notes WHERE key = ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
