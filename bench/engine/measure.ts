import { existsSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import Database from 'better-sqlite3';

/** Small measuring helpers shared by the scenarios and the report. */

/** A figure measured several times: its minimum, median and maximum, so a ratio is read with its noise. */
export interface Spread {
  min: number;
  median: number;
  max: number;
  runs: number[];
}

export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, runs: [...values] };
  return { min: Math.min(...finite), median: median(finite), max: Math.max(...finite), runs: [...values] };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Bytes a SQLite database takes on disk once its write-ahead log is folded back in
 * (`wal_checkpoint(TRUNCATE)`): the main file plus whatever is left of the WAL.
 */
export function diskBytes(path: string): number {
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  let bytes = 0;
  for (const file of [path, `${path}-wal`]) if (existsSync(file)) bytes += statSync(file).size;
  return bytes;
}

/** Peak resident set size of this process so far, MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  platform: string;
  date: string;
  /** 1-minute load average when the run started: other work on a shared machine inflates wall times. */
  loadAverage: number;
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    ramGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Overhead per move in µs: wall time minus the model's own time, over the moves. */
export function overheadPerMoveUs(wallMs: number, modelMs: number, moves: number): number {
  return moves === 0 ? Number.NaN : ((wallMs - modelMs) / moves) * 1000;
}

export async function timeMs<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}
