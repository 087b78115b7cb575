/** Whether the standard OpenTelemetry environment turns tracing on (read without loading the SDK). */

export type Env = Record<string, string | undefined>;

/** The OTLP/HTTP traces endpoint the environment configures, or undefined (tracing off). */
export function tracesEndpoint(env: Env): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  if (env.OTEL_TRACES_EXPORTER?.split(',').map((s) => s.trim().toLowerCase()).includes('none')) return undefined;
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) return `${base.replace(/\/+$/u, '')}/v1/traces`;
  return undefined;
}
