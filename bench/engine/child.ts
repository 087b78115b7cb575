import { runScenario, ScenarioSchema } from './scenarios.js';

/**
 * Runs one scenario in this process and prints its figures as one JSON line prefixed with
 * `RESULT `. Started by run.ts, one process per scenario, so peak RSS belongs to the scenario.
 */
const RESULT_PREFIX = 'RESULT ';

const parsed = ScenarioSchema.safeParse(JSON.parse(process.argv[2] ?? '{}'));
if (!parsed.success) {
  process.stderr.write(`bad scenario: ${parsed.error.message}\n`);
  process.exit(2);
}
const figures = await runScenario(parsed.data);
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(figures)}\n`);
