export type {
  BriefVersion,
  CallIntent,
  CallPurpose,
  CallRecord,
  CallResult,
  ExplorationRecord,
  ExplorationStatus,
  ExplorationWrite,
  NewBriefVersion,
  NewExploration,
  SpendTotals,
  Store,
} from './store.js';
export { defaultDbPath, openSqliteStore, shortId } from './sqlite-store.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate } from './migrations.js';
export type { Migration } from './migrations.js';
export { decodeEmbedding, encodeEmbedding, quantizeEmbedding } from './embedding-codec.js';
export type { EncodedEmbedding } from './embedding-codec.js';
export { openPostgresStore, PostgresStore } from './postgres/postgres-store.js';
export { isPostgresUrl } from './postgres/connection.js';
export { openStore, resolveStoreLocation } from './open-store.js';
