import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, jsonOf, runCli, tempDir } from '../support/cli.js';

/**
 * OpenTelemetry through the real binary into a real OTLP/HTTP receiver started here: the spans
 * that arrive are decoded (OTLP JSON, as the exporter sends it) and checked as a tree — workflow,
 * moves, judgings, model calls — with the GenAI attributes, evaluation events, the checkpoint and
 * the decision; no prompt or answer text unless opted in, and never a key.
 */

interface AnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: KeyValue[];
  events?: Array<{ name: string; attributes?: KeyValue[] }>;
}
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attrs: Record<string, unknown>;
  events: Array<{ name: string; attrs: Record<string, unknown> }>;
}

const LEAK_KEY = 'sk-otel-leak-0123456789abcdef';

function valueOf(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}
const attrsOf = (list: KeyValue[] = []): Record<string, unknown> => Object.fromEntries(list.map((kv) => [kv.key, valueOf(kv.value)]));

let server: Server;
let endpoint = '';
const bodies: string[] = [];
const resources: Array<Record<string, unknown>> = [];
const spans: Span[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const text = raw.toString('utf8');
      if (req.url !== '/v1/traces' || !String(req.headers['content-type']).includes('json')) {
        res.writeHead(415).end();
        return;
      }
      bodies.push(text);
      const body = JSON.parse(text) as { resourceSpans: Array<{ resource: { attributes: KeyValue[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
      for (const rs of body.resourceSpans) {
        resources.push(attrsOf(rs.resource.attributes));
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind, attrs: attrsOf(s.attributes), events: (s.events ?? []).map((e) => ({ name: e.name, attrs: attrsOf(e.attributes) })) });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('OpenTelemetry traces of an exploration', () => {
  const cwd = tempDir('baton-otel-');
  let exploration = '';
  let candidateText = '';

  it('exports nothing when no OTEL endpoint is set', async () => {
    const result = await runCli(['demo', '--json', '--db', 'quiet.db'], { cwd, env: { OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined } });
    expect(result.code, describeResult(result)).toBe(0);
    expect(bodies).toEqual([]);
  });

  it('shows the run as a workflow of moves, judgings and model calls, with usage, cost and evaluations', async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'baton-test', OPENAI_API_KEY: LEAK_KEY };
    const demo = await runCli(['demo', '--json', '--db', 'traced.db'], { cwd, env });
    expect(demo.code, describeResult(demo)).toBe(0);
    const outcome = jsonOf(demo) as { exploration: string; checkpoint: { id: string }; board: { candidates: number; cards: Array<{ candidateId: string; excerpt: string }> } };
    exploration = outcome.exploration;
    candidateText = outcome.board.cards[0]?.excerpt.slice(0, 40) ?? '';
    expect(resources[0]).toMatchObject({ 'service.name': 'baton-test' });

    const workflows = spans.filter((s) => s.name === 'invoke_workflow baton');
    expect(workflows).toHaveLength(1);
    const workflow = workflows[0] as Span;
    expect(workflow.parentSpanId).toBe('');
    expect(workflow.attrs).toMatchObject({ 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.conversation.id': exploration, 'baton.status': 'awaiting', 'baton.candidates': outcome.board.candidates });
    expect(workflow.events).toContainEqual({ name: 'baton.checkpoint', attrs: expect.objectContaining({ 'baton.checkpoint.id': outcome.checkpoint.id }) as unknown });

    const moves = spans.filter((s) => s.name === 'invoke_agent baton.writer');
    // Every candidate was written by a move; a checkpoint also lets the moves still in flight
    // finish their calls (they are folded after the decision), so there may be a few more moves.
    expect(moves.length).toBeGreaterThanOrEqual(outcome.board.candidates);
    const movedTo = new Set(moves.map((m) => String(m.attrs['baton.move.id']).replace(/\.m(\d+)$/u, '.c$1')));
    for (const card of outcome.board.cards) expect(movedTo.has(card.candidateId)).toBe(true);
    for (const move of moves) {
      expect(move.parentSpanId).toBe(workflow.spanId);
      expect(move.traceId).toBe(workflow.traceId);
      expect(move.attrs).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'baton.writer' });
    }
    // A wave writes every move first, then judges each distinct text once: judgings are the
    // workflow's children beside the moves, each naming the candidate its move wrote (a copy of an
    // earlier text is not judged again, so there may be fewer judgings than moves).
    const judgings = spans.filter((s) => s.name === 'invoke_agent baton.judge');
    expect(judgings.length).toBeGreaterThan(0);
    expect(judgings.length).toBeLessThanOrEqual(moves.length);
    const moveIds = new Set(moves.map((m) => m.spanId));
    const written = new Set(moves.map((m) => String(m.attrs['baton.move.id']).replace(/\.m(\d+)$/u, '.c$1')));
    for (const judging of judgings) {
      expect(judging.parentSpanId).toBe(workflow.spanId);
      expect(written.has(String(judging.attrs['baton.candidate.id']))).toBe(true);
      const evaluations = judging.events.filter((e) => e.name === 'gen_ai.evaluation.result');
      expect(evaluations.length).toBeGreaterThanOrEqual(3);
      for (const e of evaluations) {
        expect(typeof e.attrs['gen_ai.evaluation.name']).toBe('string');
        expect(e.attrs['gen_ai.evaluation.score.value']).toBeGreaterThanOrEqual(0);
        expect(e.attrs['gen_ai.evaluation.explanation']).toBeUndefined();
      }
    }
    const chats = spans.filter((s) => s.attrs['gen_ai.operation.name'] === 'chat');
    // One writer call per move and at least one judge call per judging, each under its agent span.
    expect(chats.filter((c) => moveIds.has(c.parentSpanId))).toHaveLength(moves.length);
    const judgingIds = new Set(judgings.map((j) => j.spanId));
    expect(chats.filter((c) => judgingIds.has(c.parentSpanId)).length).toBeGreaterThanOrEqual(judgings.length);
    for (const chat of chats) {
      expect(chat.kind).toBe(3); // SPAN_KIND_CLIENT
      expect(chat.name).toBe(`chat ${String(chat.attrs['gen_ai.request.model'])}`);
      expect(chat.attrs['gen_ai.provider.name']).toBe('rehearsal');
      expect(chat.attrs['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(chat.attrs['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(chat.attrs['baton.cost.usd']).toBe(0);
      expect(chat.attrs['gen_ai.input.messages']).toBeUndefined();
      expect(chat.attrs['gen_ai.output.messages']).toBeUndefined();
    }
    const all = bodies.join('\n');
    expect(all).not.toContain(LEAK_KEY);
    expect(all).not.toContain(candidateText);
  });

  it('records a decision as its own span, and the run after it as another workflow of the same exploration', async () => {
    spans.length = 0;
    const board = jsonOf(await runCli(['board', exploration, '--json', '--db', 'traced.db'], { cwd })) as { board: { cards: Array<{ candidateId: string }> } };
    const card = board.board.cards[0]?.candidateId ?? '';
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/v1/traces` };
    const decided = await runCli(['decide', exploration, 'deepen', card.slice(card.lastIndexOf('.') + 1), '--why', 'a private reason', '--json', '--db', 'traced.db'], { cwd, env });
    expect([0, 10], describeResult(decided)).toContain(decided.code);
    const decision = spans.find((s) => s.name === 'baton.decision');
    expect(decision?.attrs).toMatchObject({ 'baton.decision.action': 'deepen', 'baton.decision.candidates': [card], 'gen_ai.conversation.id': exploration });
    expect(decision?.attrs['baton.decision.reason']).toBeUndefined();
    const workflow = spans.find((s) => s.name === 'invoke_workflow baton');
    expect(workflow?.attrs['gen_ai.conversation.id']).toBe(exploration);
    expect(spans.filter((s) => s.name === 'invoke_agent baton.writer' && s.parentSpanId === workflow?.spanId).length).toBeGreaterThan(0);
    expect(bodies.join('\n')).not.toContain('a private reason');
  });

  it('exports prompts, answers, explanations and reasons only when content capture is opted in', async () => {
    spans.length = 0;
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true', OPENAI_API_KEY: LEAK_KEY };
    const demo = await runCli(['demo', '--json', '--db', 'captured.db'], { cwd, env });
    expect(demo.code, describeResult(demo)).toBe(0);
    const chat = spans.find((s) => s.attrs['gen_ai.operation.name'] === 'chat');
    const input = JSON.parse(String(chat?.attrs['gen_ai.input.messages'])) as Array<{ role: string; parts: Array<{ type: string; content: string }> }>;
    expect(input[0]?.parts[0]?.content.length).toBeGreaterThan(0);
    const output = JSON.parse(String(chat?.attrs['gen_ai.output.messages'])) as Array<{ role: string }>;
    expect(output[0]?.role).toBe('assistant');
    const evaluation = spans.flatMap((s) => s.events).find((e) => e.name === 'gen_ai.evaluation.result');
    expect(String(evaluation?.attrs['gen_ai.evaluation.explanation']).length).toBeGreaterThan(0);
    expect(bodies.join('\n')).not.toContain(LEAK_KEY);
  });

  it('is off when OTEL_SDK_DISABLED=true, whatever the endpoint', async () => {
    const before = bodies.length;
    const result = await runCli(['demo', '--json', '--db', 'disabled.db'], { cwd, env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: 'true' } });
    expect(result.code, describeResult(result)).toBe(0);
    expect(bodies.length).toBe(before);
  });
});
