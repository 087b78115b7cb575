import { parentPort } from 'node:worker_threads';
import type { CheckContext } from '../explore/checks.js';
import { isBatonError } from '../errors.js';
import { lintSourceText } from './lint-source.js';
import { parseBrief } from './parse.js';

/**
 * The brief worker's side (see `brief-worker.ts`): reads one brief per message and answers with
 * its findings, or its parsed form, or the located error a caller should throw.
 */

export type BriefJobInput = { kind: 'lint'; source: string; name: string; context: CheckContext } | { kind: 'parse'; source: string; name: string };
export type BriefJob = BriefJobInput & { id: number };

export type BriefAnswer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; message: string; location?: unknown; details?: readonly string[] } };

async function answer(job: BriefJob): Promise<BriefAnswer> {
  try {
    const value = job.kind === 'lint' ? await lintSourceText(job.source, job.name, job.context) : parseBrief(job.source, { file: job.name });
    return { id: job.id, ok: true, value };
  } catch (error) {
    if (isBatonError(error)) {
      return { id: job.id, ok: false, error: { code: error.code, message: error.message, ...(error.location && { location: error.location }), details: error.details } };
    }
    return { id: job.id, ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } };
  }
}

const port = parentPort;
if (port) {
  port.on('message', (job: BriefJob) => {
    void answer(job).then((reply) => port.postMessage(reply));
  });
  port.postMessage({ ready: true });
}
