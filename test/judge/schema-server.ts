import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback server that speaks the OpenAI chat-completions and Anthropic messages wire formats
 * and keeps every request body as it arrived, so a test can see what Baton put on the wire. Its
 * judge answers JSON only when the request asks for a schema (`response_format: json_schema`, or
 * Anthropic's `output_config.format` or forced `json` tool); asked in prose, it answers in prose —
 * as some local servers do. Its scores come from `score(criterion, text)`.
 */

export interface CapturedRequest {
  path: string;
  body: Record<string, unknown>;
}

export interface SchemaServer {
  url: string;
  requests: CapturedRequest[];
  /** Requests whose system prompt is the judge's. */
  judgeRequests(): CapturedRequest[];
  close(): Promise<void>;
}

export interface SchemaServerOptions {
  /** The score a criterion gets for a candidate's text; 7 by default. */
  score?: (criterion: string, text: string) => number;
  /** Which of two texts wins a comparison; the first by default (a position-biased judge). */
  compare?: (first: string, second: string) => 'first' | 'second' | 'tie';
  /** Whether a schema on any other request is honoured (doctor's probe); true by default. */
  honourProbe?: boolean;
}

type Json = Record<string, unknown>;

function systemOf(body: Json): string {
  if (typeof body.system === 'string') return body.system;
  if (Array.isArray(body.system)) return body.system.map((p: Json) => String(p.text ?? '')).join('\n');
  const messages = (body.messages as Json[] | undefined) ?? [];
  return messages.filter((m) => m.role === 'system').map((m) => String(m.content)).join('\n');
}

function userText(body: Json): string {
  const messages = (body.messages as Json[] | undefined) ?? [];
  return messages
    .filter((m) => m.role === 'user')
    .map((m) => (typeof m.content === 'string' ? m.content : Array.isArray(m.content) ? m.content.map((p: Json) => String(p.text ?? '')).join('') : ''))
    .join('\n');
}

/** The JSON Schema the request asks the answer to follow, in any of the wire forms. */
export function requestedSchema(body: Json): Json | undefined {
  const format = body.response_format as Json | undefined;
  if (format?.type === 'json_schema') return (format.json_schema as Json | undefined)?.schema as Json | undefined;
  const output = (body.output_config as Json | undefined)?.format as Json | undefined;
  if (output?.type === 'json_schema') return output.schema as Json | undefined;
  const tools = (body.tools as Json[] | undefined) ?? [];
  const json = tools.find((t) => t.name === 'json');
  return json ? (json.input_schema as Json | undefined) : undefined;
}

function delimited(text: string, label: string): string {
  const match = new RegExp(`<<<DATA-(\\w+) ${label}>>>\\n([\\s\\S]*?)\\n<<<END-DATA-\\1>>>`, 'u').exec(text);
  return match?.[2] ?? '';
}

export async function startSchemaServer(options: SchemaServerOptions = {}): Promise<SchemaServer> {
  const requests: CapturedRequest[] = [];
  let drafts = 0;
  const score = options.score ?? (() => 7);
  const compare = options.compare ?? (() => 'first' as const);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json;
      const path = req.url ?? '';
      requests.push({ path, body });
      const system = systemOf(body);
      const user = userText(body);
      const schema = requestedSchema(body);
      let answer: string;
      if (system.includes('comparing two candidate')) {
        const winner = compare(delimited(user, 'first candidate'), delimited(user, 'second candidate'));
        answer = schema ? JSON.stringify({ winner, reason: `The ${winner} is better.` }) : `I prefer the ${winner} one.`;
      } else if (system.includes('You are a strict, fair judge')) {
        const candidate = delimited(user, 'candidate');
        const ids = (((((schema?.properties as Json | undefined)?.scores as Json | undefined)?.items as Json | undefined)?.properties as Json | undefined)?.criterion as Json | undefined)?.enum as string[] | undefined;
        const constraintIndexes = (((((schema?.properties as Json | undefined)?.constraints as Json | undefined)?.items as Json | undefined)?.properties as Json | undefined)?.index as Json | undefined)?.enum as number[] | undefined;
        answer = schema
          ? JSON.stringify({
              scores: (ids ?? []).map((criterion) => ({ criterion, score: score(criterion, candidate), reason: `Judged ${criterion}.` })),
              constraints: (constraintIndexes ?? []).map((index) => ({ index, pass: true, reason: 'Holds.' })),
              flags: [],
              critique: 'Tighten the second step.',
            })
          : 'This is a solid plan; I would give it a seven overall.';
      } else if (schema && options.honourProbe !== false) {
        const enumOf = (((schema.properties as Json | undefined)?.answer as Json | undefined)?.enum as string[] | undefined) ?? ['yes'];
        answer = JSON.stringify({ answer: enumOf[0] });
      } else {
        drafts += 1;
        answer = `1. Quarantine each flaky test after its third rerun (draft ${drafts}).\n2. Track reruns per shard weekly.\n3. Give the quarantine list an owner.`;
      }
      const anthropic = path.endsWith('/messages');
      const forcedTool = anthropic && Array.isArray(body.tools) && (body.tools as Json[]).some((t) => t.name === 'json') && schema !== undefined && body.output_config === undefined;
      const payload = anthropic
        ? {
            id: `msg_${requests.length}`,
            type: 'message',
            role: 'assistant',
            model: body.model,
            content: forcedTool ? [{ type: 'tool_use', id: `tool_${requests.length}`, name: 'json', input: JSON.parse(answer) as unknown }] : [{ type: 'text', text: answer }],
            stop_reason: forcedTool ? 'tool_use' : 'end_turn',
            usage: { input_tokens: 500, output_tokens: 100 },
          }
        : {
            id: `chatcmpl-${requests.length}`,
            object: 'chat.completion',
            created: 1,
            model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 500, completion_tokens: 100, total_tokens: 600 },
          };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    judgeRequests: () => requests.filter((r) => systemOf(r.body).includes('You are a strict, fair judge')),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
