import { relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { common, integer, withBaton } from '../context.js';
import { printJson } from '../io.js';

interface Options extends CommonOptions {
  count: number;
  adopt?: number;
  seed?: number;
  model?: string;
  output?: string;
}

export function registerReframe(program: Command, ctx: CliContext): void {
  common(
    program
      .command('reframe')
      .argument('<brief>', 'the brief whose question to reframe')
      .description('Ask the model for alternative framings of the question, through lenses; adopt one as a new brief version')
      .option('-n, --count <n>', 'how many framings', integer('--count', 1, 10), 3)
      .option('--adopt <k>', 'adopt framing k from the list shown last for this brief', integer('--adopt', 1, 10))
      .option('--seed <n>', 'seed', integer('--seed', 0))
      .option('--model <provider:model>', 'model to ask (default: the brief\'s)')
      .option('-o, --output <file>', 'with --adopt: write the new brief here instead of in place'),
  ).action(async (file: string, options: Options) => {
    await withBaton(ctx, options, async (baton) => {
      if (options.adopt !== undefined) {
        const adopted = await baton.adoptFraming(file, options.adopt, options.output);
        report(ctx, options, adopted.framing.question, adopted.path, adopted.version.version);
        return;
      }
      const reframeOptions: Parameters<typeof baton.reframe>[1] = { count: options.count };
      if (options.seed !== undefined) reframeOptions.seed = options.seed;
      if (options.model !== undefined) reframeOptions.model = options.model;
      const result = await baton.reframe(file, reframeOptions);
      if (options.json) {
        printJson(ctx.io, result);
        return;
      }
      ctx.io.out(`Framings of the question (model: ${result.label}):\n`);
      result.framings.forEach((f, i) => ctx.io.out(`\n  ${i + 1}. [${f.lens}] ${f.question}\n     why: ${f.why}\n`));
      if (!ctx.io.interactive || !process.stdin.isTTY) {
        ctx.io.err(`\nAdopt one as a new brief version: baton reframe ${file} --adopt <1-${result.framings.length}>\n`);
        return;
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = (await rl.question(`\nAdopt which framing? [1-${result.framings.length}, Enter to keep yours] `)).trim();
      rl.close();
      const k = Number(answer);
      if (!answer || !Number.isInteger(k) || k < 1 || k > result.framings.length) {
        ctx.io.err('Kept your question.\n');
        return;
      }
      const adopted = await baton.adoptFraming(file, k, options.output);
      report(ctx, options, adopted.framing.question, adopted.path, adopted.version.version);
    });
  });
}

function report(ctx: CliContext, options: Options, question: string, path: string, version: number): void {
  if (options.json) printJson(ctx.io, { adopted: question, path, version });
  else ctx.io.err(`Adopted: ${question}\nWrote ${relative(ctx.io.cwd, path) || path} (brief version ${version}, the previous one is kept in the store)\n`);
}
