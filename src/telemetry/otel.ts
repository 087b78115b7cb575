import type { Attributes, Span } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { isBatonError } from '../errors.js';
import type { SpanAttributes, TraceSpan, TracingPort } from '../explore/tracing.js';
import { useTracing } from '../explore/tracing.js';
import { VERSION } from '../version.js';
import type { Env } from './env.js';
import { tracesEndpoint } from './env.js';

/**
 * The OpenTelemetry adapter of the tracing port: spans exported as OTLP over HTTP. Off unless the
 * standard environment asks for it — `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`) — and not disabled (`OTEL_SDK_DISABLED=true`,
 * `OTEL_TRACES_EXPORTER=none`). `OTEL_SERVICE_NAME` names the service (default `baton`);
 * `OTEL_EXPORTER_OTLP_HEADERS` is read by the exporter. Prompt and answer text are exported only
 * with `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`.
 */

export interface Telemetry {
  /** Where spans go. */
  endpoint: string;
  /** Sends what is buffered and stops; the tracing port is removed. */
  shutdown(): Promise<void>;
}

/** Starts exporting traces when the environment asks for it; undefined otherwise (nothing installed). */
export function startTelemetry(env: Env = process.env): Telemetry | undefined {
  const endpoint = tracesEndpoint(env);
  if (!endpoint) return undefined;
  const exporter = new OTLPTraceExporter({ url: endpoint });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || 'baton', 'service.version': VERSION }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('baton', VERSION);
  const captureContent = env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.trim().toLowerCase() === 'true';
  const port: TracingPort = {
    captureContent,
    startSpan(name, attributes, parent, kind) {
      const context = parent instanceof OtelSpan ? trace.setSpan(ROOT_CONTEXT, parent.span) : ROOT_CONTEXT;
      return new OtelSpan(tracer.startSpan(name, { attributes: clean(attributes), kind: kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL }, context));
    },
  };
  useTracing(port);
  return {
    endpoint,
    async shutdown() {
      useTracing(undefined);
      await provider.shutdown();
    },
  };
}

class OtelSpan implements TraceSpan {
  constructor(readonly span: Span) {}

  setAttributes(attributes: SpanAttributes): void {
    this.span.setAttributes(clean(attributes));
  }

  addEvent(name: string, attributes: SpanAttributes = {}): void {
    this.span.addEvent(name, clean(attributes));
  }

  fail(error: unknown): void {
    const type = isBatonError(error) ? error.code : error instanceof Error ? error.name : 'Error';
    this.span.setAttribute('error.type', type);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }

  end(): void {
    this.span.end();
  }
}

function clean(attributes: SpanAttributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}
