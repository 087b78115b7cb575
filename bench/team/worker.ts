import { CRITERIA } from '../engine/baton-workload.js';
import { fakePort, modelClock } from '../engine/fake-model.js';
import { startWorker } from '../../src/team/worker.js';

/**
 * One worker process of the team benchmark: `baton worker` with the benchmark's fake model
 * (200 ms a call by default) registered as `fake:bench`. Prints `ready` once it takes work, and
 * on SIGTERM stops after the waves in hand.
 * Usage: tsx bench/team/worker.ts <postgres-url> <slots> <lease-seconds> <latency-ms>
 */
const [url = '', slots = '4', lease = '5', latency = '200'] = process.argv.slice(2);
const clock = modelClock();
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());
const worker = await startWorker({
  db: url,
  slots: Number(slots),
  leaseSeconds: Number(lease),
  signal: controller.signal,
  baton: { models: { 'fake:bench': () => fakePort({ clock, criteria: CRITERIA, latencyMs: Number(latency) }) } },
});
const atReady = process.cpuUsage();
process.stdout.write('ready\n');
await worker.done;
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({ calls: clock.calls, cpuSeconds: (cpu.user + cpu.system) / 1e6, readyCpuSeconds: (atReady.user + atReady.system) / 1e6 })}\n`,
);
