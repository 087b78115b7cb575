/**
 * Running spend totals, kept by triggers on `calls` in the store's own SQL (SQLite and Postgres
 * alike), so that `spend` reads one row instead of summing every call of an exploration.
 *
 * What a call row adds to its exploration's totals (the rule the old sum applied): a call counts
 * once it may have been billed — completed, or failed with a cost (it may have generated before
 * it was lost); one refused before it reached the provider costs nothing. An intent with no
 * result is "possibly billed" at its reserved price. Calls of no exploration (a reframe) count
 * nowhere.
 */

/** Each total column and what one row `r` adds to it. */
function contributions(r: string): Array<[column: string, expression: string]> {
  const tokens = `COALESCE(${r}.input_tokens, 0) + COALESCE(${r}.output_tokens, 0)`;
  return [
    ['calls', `CASE WHEN ${r}.status = 'done' OR (${r}.status = 'failed' AND (${tokens} > 0 OR COALESCE(${r}.usd, 0) > 0)) THEN 1 ELSE 0 END`],
    ['tokens', `CASE WHEN ${r}.status <> 'intent' THEN ${tokens} ELSE 0 END`],
    ['usd', `CASE WHEN ${r}.status <> 'intent' THEN COALESCE(${r}.usd, 0) ELSE 0 END`],
    ['possibly_billed', `CASE WHEN ${r}.status = 'intent' THEN 1 ELSE 0 END`],
    ['possibly_billed_usd', `CASE WHEN ${r}.status = 'intent' THEN ${r}.reserved_usd ELSE 0 END`],
    ['estimated_calls', `CASE WHEN ${r}.status <> 'intent' AND ${r}.usage_estimated = 1 THEN 1 ELSE 0 END`],
  ];
}

const COLUMNS = contributions('x').map(([c]) => c);

/** The columns the triggers watch: an update of anything else (a released output) changes no total. */
const WATCHED = 'exploration_id, status, input_tokens, output_tokens, usd, reserved_usd, usage_estimated';

function upsert(r: string): string {
  const values = contributions(r).map(([, e]) => e);
  return `INSERT INTO call_totals (exploration_id, ${COLUMNS.join(', ')})
          SELECT ${r}.exploration_id, ${values.join(', ')} WHERE ${r}.exploration_id IS NOT NULL
          ON CONFLICT (exploration_id) DO UPDATE SET ${COLUMNS.map((c) => `${c} = call_totals.${c} + excluded.${c}`).join(', ')}`;
}

function subtract(r: string): string {
  return `UPDATE call_totals SET ${contributions(r).map(([c, e]) => `${c} = ${c} - (${e})`).join(', ')}
          WHERE exploration_id = ${r}.exploration_id`;
}

function backfill(): string {
  return `INSERT INTO call_totals (exploration_id, ${COLUMNS.join(', ')})
          SELECT c.exploration_id, ${contributions('c').map(([, e]) => `SUM(${e})`).join(', ')}
          FROM calls c WHERE c.exploration_id IS NOT NULL GROUP BY c.exploration_id`;
}

const TABLE = (real: string) => `
      CREATE TABLE call_totals (
        exploration_id      TEXT PRIMARY KEY,
        calls               BIGINT NOT NULL DEFAULT 0,
        tokens              BIGINT NOT NULL DEFAULT 0,
        usd                 ${real} NOT NULL DEFAULT 0,
        possibly_billed     BIGINT NOT NULL DEFAULT 0,
        possibly_billed_usd ${real} NOT NULL DEFAULT 0,
        estimated_calls     BIGINT NOT NULL DEFAULT 0
      );`;

export const SPEND_TOTALS_SQLITE = `${TABLE('REAL')}
      ${backfill()};
      CREATE TRIGGER call_totals_on_insert AFTER INSERT ON calls WHEN NEW.exploration_id IS NOT NULL BEGIN
        ${upsert('NEW')};
      END;
      CREATE TRIGGER call_totals_on_update AFTER UPDATE OF ${WATCHED} ON calls BEGIN
        ${subtract('OLD')};
        ${upsert('NEW')};
      END;
      CREATE TRIGGER call_totals_on_delete AFTER DELETE ON calls WHEN OLD.exploration_id IS NOT NULL BEGIN
        ${subtract('OLD')};
      END;`;

export const SPEND_TOTALS_POSTGRES = `${TABLE('DOUBLE PRECISION')}
      ${backfill()};
      CREATE FUNCTION call_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          ${subtract('OLD')};
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          ${upsert('NEW')};
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER call_totals_follow AFTER INSERT OR DELETE OR UPDATE OF ${WATCHED} ON calls
        FOR EACH ROW EXECUTE FUNCTION call_totals_follow();`;

/** The totals row as both stores read it. */
export const SPEND_TOTALS_SELECT = `SELECT ${COLUMNS.join(', ')} FROM call_totals WHERE exploration_id = `;
