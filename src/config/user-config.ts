import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Node } from 'yaml';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { BatonError } from '../errors.js';
import { hasUrlCredentials } from '../util/sanitize/urls.js';

/**
 * The person's own Baton settings, kept outside any project: `$BATON_CONFIG`, else
 * `$XDG_CONFIG_HOME/baton/config.yaml`, else `~/.config/baton/config.yaml`. It may hold provider
 * keys and base URLs, a concurrency limit per provider, price overrides and the retry policy.
 * Environment variables win over the file. A file that holds a key is refused when someone else
 * could read it (group or other permission bits) or when it lies inside the project directory,
 * where it could be committed.
 */

const ProviderSettingsSchema = z
  .object({
    apiKey: z.string().min(1).optional().describe('The API key; environment variables win over it.'),
    baseUrl: z
      .string()
      .min(1)
      .refine((url) => !hasUrlCredentials(url), 'a base URL must not carry a user name or password: put the key in apiKey')
      .optional()
      .describe("The API's base URL (e.g. http://127.0.0.1:8000/v1), without credentials."),
    concurrency: z.number().int().min(1).max(256).optional().describe('Calls in flight at once to this provider (across all workers on a team store).'),
    requestsPerMinute: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('Requests sent to this provider per minute, retries included (across all workers on a team store).'),
    structuredOutputs: z
      .boolean()
      .optional()
      .describe("Ask for JSON answers in the provider's structured-output mode (a JSON schema); false for a server that lacks it (`baton doctor` finds out)."),
  })
  .strict();

const PriceSchema = z
  .object({
    inputPerMTok: z.number().min(0).describe('US dollars per million input tokens.'),
    outputPerMTok: z.number().min(0).describe('US dollars per million output tokens.'),
  })
  .strict();

export const UserConfigSchema = z
  .object({
    providers: z
      .object({
        openai: ProviderSettingsSchema.optional(),
        anthropic: ProviderSettingsSchema.optional(),
        ollama: ProviderSettingsSchema.optional(),
        'openai-compatible': ProviderSettingsSchema.optional(),
      })
      .strict()
      .default({})
      .describe('Settings per provider.'),
    pricing: z
      .record(z.string(), PriceSchema)
      .superRefine((prices, ctx) => {
        for (const id of Object.keys(prices)) {
          if (!/^[a-z][a-z0-9-]*:.+$/u.test(id)) ctx.addIssue({ code: 'custom', path: [id], message: `"${id}": a price is keyed by provider:model, e.g. openai:gpt-4o-mini` });
        }
      })
      .default({})
      .describe('Prices that replace (or add to) the built-in table, per provider:model.'),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(20).optional().describe('Attempts per call, the first included.'),
        timeoutSeconds: z.number().positive().max(3600).optional().describe('How long one attempt may take.'),
      })
      .strict()
      .default({})
      .describe('The retry policy of real providers.'),
    board: z
      .object({ cards: z.number().int().min(2).max(50).optional().describe('Most cards on a board (default 8); every direction still gets a row.') })
      .strict()
      .default({})
      .describe('What a board shows.'),
  })
  .strict();

export type UserConfig = z.output<typeof UserConfigSchema>;
export type ProviderSettings = z.output<typeof ProviderSettingsSchema>;

export interface LoadedConfig {
  /** Absolute path of the file read; `null` when there is none. */
  path: string | null;
  config: UserConfig;
}

export const EMPTY_CONFIG: UserConfig = { providers: {}, pricing: {}, retry: {}, board: {} };

type Env = Readonly<Record<string, string | undefined>>;

/** Where the config file is looked for, given the environment. */
export function userConfigPath(env: Env): { path: string; explicit: boolean } {
  const given = env.BATON_CONFIG?.trim();
  if (given) return { path: resolve(given), explicit: true };
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME?.trim() || homedir(), '.config');
  return { path: join(base, 'baton', 'config.yaml'), explicit: false };
}

/**
 * Reads and validates the user config. No file is fine (an empty config), unless `BATON_CONFIG`
 * names one. Mistakes are `invalid_input` errors located `file:line:column`.
 *
 * @example
 * const { path, config } = loadUserConfig({ env: process.env, cwd: process.cwd() });
 */
export function loadUserConfig(options: { env: Env; cwd: string }): LoadedConfig {
  const { path, explicit } = userConfigPath(options.env);
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return { path: null, config: EMPTY_CONFIG };
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : `it cannot be read (${code ?? 'error'})`;
    throw new BatonError('invalid_input', `${path}: ${why} (BATON_CONFIG names it)`, { cause: error, location: { file: path } });
  }
  const config = parseUserConfig(source, path);
  if (holdsKey(config)) refuseExposedKeys(path, options.cwd, options.env.HOME?.trim() || homedir());
  return { path, config };
}

/** Parses and validates the text of a config file; `file` is used in located errors. */
export function parseUserConfig(source: string, file: string): UserConfig {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const at = lines.linePos(yamlError.pos[0]);
    throw new BatonError('invalid_input', `${file}:${at.line}:${at.col}: ${firstLine(yamlError.message)}`, {
      cause: yamlError,
      location: { file, line: at.line, column: at.col },
    });
  }
  const data: unknown = doc.toJS() ?? {};
  const parsed = UserConfigSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const node = nodeAt(doc.getIn(path, true), doc.contents);
    const at = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    return { text: `${file}:${at.line}:${at.col}: ${path.join('.') || 'config'}: ${issue.message}`, line: at.line, col: at.col, field: path.join('.') };
  });
  const first = details[0] as (typeof details)[number];
  throw new BatonError('invalid_input', first.text, {
    cause: parsed.error,
    location: { file, line: first.line, column: first.col, field: first.field },
    details: details.map((d) => d.text),
  });
}

function nodeAt(found: unknown, fallback: unknown): Node | undefined {
  if (isNode(found)) return found;
  return isNode(fallback) ? fallback : undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function holdsKey(config: UserConfig): boolean {
  return Object.values(config.providers).some((p) => p?.apiKey !== undefined);
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A key in a file others can read, or in one a project could commit, is refused with the fix. */
function refuseExposedKeys(path: string, cwd: string, home: string): void {
  // Run from the home directory (or above it), every config file is "inside": that is no project.
  if (isInside(path, cwd) && !isInside(home, cwd)) {
    throw new BatonError(
      'invalid_input',
      `${path} holds an API key but lies inside the project directory, where it could be committed: move it to ~/.config/baton/config.yaml (or point BATON_CONFIG outside the project)`,
      { location: { file: path } },
    );
  }
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode;
  if ((mode & 0o077) !== 0) {
    throw new BatonError(
      'invalid_input',
      `${path} holds an API key but other users may read it (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${path}`,
      { location: { file: path } },
    );
  }
}
