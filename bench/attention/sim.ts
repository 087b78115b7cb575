import { createHash } from 'node:crypto';
import type { ModelPort, ModelRequest, ModelResponse, ModelTask } from '../../src/index.js';
import { mulberry32 } from '../../src/util/mulberry32.js';
import type { JudgeProfile, World } from './world.js';

/**
 * The simulated model of a world: a `ModelPort` that writes and judges. Every candidate it writes
 * carries hidden latent attributes — a true score per criterion and a style vector — kept in a
 * side table keyed by the candidate's text, so the world (and only the world) can recover them.
 *
 * - The judge answers the real judge protocol (JSON scores) with the true scores plus noise and
 *   the world's biases (padding read as substance, a favoured lens; the first of a pair in a
 *   comparison); it never sees style. It flags `sensitive` and `unclear` where the world says so.
 *   Further jurors (`world.jury`) are further ports with noise and biases of their own.
 * - The text is made of words that reflect the latents (style words in proportion to the style,
 *   lens words, filler), so a reader — or an embedding — can pick up style, as with real text.
 * - Every draw comes from a hash of the world seed and the task (which lens, which parent, the
 *   how-many-th time), never from call order, so a run is reproducible for a seed.
 */

export interface Latent {
  /** True score per criterion, 0–10, in `world.criteria` order. */
  quality: number[];
  /** Style per dimension, 0–1, in `world.style` order. */
  style: number[];
  lensId: string;
  depth: number;
  /** Filler words beyond the content: length without substance. */
  pad: number;
  /** Touches ground the person must see before it is accepted in their name. */
  sensitive: boolean;
}

/** Word banks per style dimension, low then high: what a reader notices. */
const STYLE_WORDS: ReadonlyArray<readonly [string[], string[]]> = [
  [['stark', 'cold', 'clinical', 'distant', 'plain', 'dry'], ['tender', 'warm', 'gentle', 'kind', 'glowing', 'soft']],
  [['careful', 'modest', 'quiet', 'measured', 'small', 'cautious'], ['bold', 'daring', 'loud', 'sweeping', 'fierce', 'wild']],
  [['concrete', 'literal', 'direct', 'factual', 'exact', 'blunt'], ['dreamlike', 'strange', 'oblique', 'mythic', 'surreal', 'veiled']],
  [['brief', 'terse', 'spare', 'lean', 'clipped', 'short'], ['lavish', 'ornate', 'layered', 'rich', 'dense', 'winding']],
];
const FILLER = 'harbor lantern signal river window letter garden engine ledger bridge orchard compass season thread island station meadow archive beacon canyon'.split(' ');

export class SimWorld {
  readonly world: World;
  readonly seed: number;
  private readonly latents = new Map<string, Latent>();
  private readonly counters = new Map<string, number>();
  /** Lens style offsets for this seed (the world's plus per-seed jitter). */
  private readonly lensStyle: Map<string, number[]>;
  /** Model calls answered, by this world's port. */
  calls = 0;

  constructor(world: World, seed: number) {
    this.world = world;
    this.seed = seed;
    const random = this.random('lenses');
    this.lensStyle = new Map(world.lenses.map((l) => [l.id, l.style.map((s) => s + world.lensJitter * normal(random))]));
  }

  /** The hidden attributes of a candidate, by its text. */
  latentOf(text: string): Latent {
    const latent = this.latents.get(text.trim());
    if (!latent) throw new Error(`the simulated world did not write this text: ${text.slice(0, 60)}…`);
    return latent;
  }

  /** Every candidate written so far (for the best attainable utility). */
  allLatents(): Latent[] {
    return [...this.latents.values()];
  }

  /** The model id of juror `juror` (0: the world's own judge, which also writes). */
  modelId(juror = 0): string {
    return juror === 0 ? `sim:${this.world.name}` : `sim:${this.world.name}-j${juror + 1}`;
  }

  /** The judge profile of juror `juror`: 0 is the world's judge, then `world.jury` in order. */
  profile(juror = 0): JudgeProfile {
    if (juror === 0) return { noise: this.world.judgeNoise, ...this.world.judge };
    const member = this.world.jury[juror - 1];
    if (!member) throw new Error(`the world ${this.world.name} has no juror ${juror + 1}`);
    return member;
  }

  /** The port that plays writer and judge in this world (`juror` > 0: a further judge model). */
  port(juror = 0): ModelPort {
    return {
      info: {
        id: this.modelId(juror),
        label: `simulated world ${this.world.name}${juror === 0 ? '' : ` (juror ${juror + 1})`}`,
        rehearsal: false,
        pricing: { inputPerMTok: 0, outputPerMTok: 0 },
        maxOutputTokens: 2000,
      },
      complete: async (request: ModelRequest): Promise<ModelResponse> => {
        this.calls += 1;
        const text = this.answer(request.task, juror);
        return { text, usage: { inputTokens: Math.ceil(JSON.stringify(request.messages).length / 4), outputTokens: Math.ceil(text.length / 4) }, model: this.modelId(juror) };
      },
    };
  }

  /** The answer to a task: a candidate's text, or the judge's JSON. */
  answer(task: ModelTask, juror = 0): string {
    switch (task.kind) {
      case 'open':
        return this.open(task.lens.id);
      case 'deepen':
        return this.deepen(task.parent.text);
      case 'combine':
        return this.combine(task.parents[0].text, task.parents[1].text);
      case 'judge':
        return this.judge(task.candidate.text, juror);
      case 'reframe':
        return JSON.stringify({ framings: [] });
      case 'compare':
        return this.compare(task.first.text, task.second.text, juror);
    }
  }

  open(lensId: string): string {
    const lens = this.world.lenses.find((l) => l.id === lensId) ?? this.world.lenses[0];
    if (!lens) throw new Error('a world has lenses');
    const key = `open:${lens.id}`;
    const random = this.next(key);
    const { opening } = this.world;
    const quality = this.world.criteria.map((_, c) => clamp(opening.quality + (lens.quality[c] ?? 0) + opening.spread * normal(random), 0, 10));
    const offsets = this.lensStyle.get(lens.id) ?? [];
    const style = this.world.style.map((_, j) => clamp(0.5 + (offsets[j] ?? 0) + opening.styleSpread * normal(random), 0, 1));
    // Padding and sensitivity come from a stream of their own: the worlds without them draw as before.
    const extra = this.extra(key);
    const risky = this.world.sensitive?.lenses.includes(lens.id) ?? false;
    const sensitive = risky && extra() < (this.world.sensitive?.rate ?? 0);
    return this.write({ quality, style, lensId: lens.id, depth: 1, pad: this.padding(extra), sensitive }, key, random);
  }

  deepen(parentText: string): string {
    const parent = this.latentOf(parentText);
    const key = `deepen:${digest(parentText)}`;
    const random = this.next(key);
    const { deepening } = this.world;
    if (random() < this.world.nearDuplicateRate) {
      // A deepening that changes (almost) nothing: one word differs.
      const latent = { ...parent, quality: [...parent.quality], style: [...parent.style], depth: parent.depth + 1 };
      return this.remember(`${parentText.trim()} ${pick(FILLER, random)}`, latent);
    }
    const captured = deepening.gain * deepening.decay ** (parent.depth - 1);
    const quality = parent.quality.map((q) => clamp(q + captured * (10 - q) + deepening.noise * normal(random), 0, 10));
    const style = parent.style.map((s) => clamp(s + deepening.styleDrift * normal(random), 0, 1));
    const pad = this.padding(this.extra(key));
    return this.write({ quality, style, lensId: parent.lensId, depth: parent.depth + 1, pad, sensitive: parent.sensitive }, key, random, parentText);
  }

  combine(aText: string, bText: string): string {
    const a = this.latentOf(aText);
    const b = this.latentOf(bText);
    const key = `combine:${[digest(aText), digest(bText)].sort().join('+')}`;
    const random = this.next(key);
    const quality = a.quality.map((q, c) => clamp(Math.max(q, b.quality[c] ?? 0) - this.world.combineLoss + this.world.deepening.noise * normal(random), 0, 10));
    const style = a.style.map((s, j) => (s + (b.style[j] ?? 0)) / 2);
    const pad = this.padding(this.extra(key));
    return this.write({ quality, style, lensId: a.lensId, depth: Math.max(a.depth, b.depth) + 1, pad, sensitive: a.sensitive || b.sensitive }, key, random);
  }

  /**
   * What a judge reads into a candidate on a criterion, before noise: the true score, plus a
   * point per 10 words of padding times its length bias, plus its favoured lens's points.
   */
  biasedScore(latent: Latent, criterion: number, juror = 0): number {
    const profile = this.profile(juror);
    const favoured = profile.favouredLens?.lens === latent.lensId ? (profile.favouredLens?.points ?? 0) : 0;
    return (latent.quality[criterion] ?? 0) + (profile.lengthBias * latent.pad) / 10 + favoured;
  }

  /**
   * A pairwise comparison in the judge's protocol: each text's criterion-weighted biased score
   * plus fresh noise, the first shown getting the judge's position bonus; within a quarter point
   * it is a tie. The same question (pair and order) always gets the same answer.
   */
  compare(firstText: string, secondText: string, juror = 0): string {
    const profile = this.profile(juror);
    const random = this.random(`compare${juror}:${digest(firstText)}>${digest(secondText)}`);
    const perceived = (text: string): number => {
      const latent = this.latentOf(text);
      const total = this.world.criteria.reduce((sum, c) => sum + c.weight, 0);
      const score = this.world.criteria.reduce((sum, c, i) => sum + c.weight * this.biasedScore(latent, i, juror), 0) / total;
      return score + profile.noise * normal(random);
    };
    const margin = perceived(firstText) + profile.position - perceived(secondText);
    const winner = margin > 0.25 ? 'first' : margin < -0.25 ? 'second' : 'tie';
    return JSON.stringify({ winner, reason: 'simulated judge' });
  }

  /**
   * Noisy, biased scores in the judge's JSON protocol, with the world's flags; the same text always
   * gets the same verdict from the same juror. Each juror's noise is its own.
   */
  judge(text: string, juror = 0): string {
    const latent = this.latentOf(text);
    const profile = this.profile(juror);
    const random = this.random(`judge${juror === 0 ? '' : juror}:${digest(text)}`);
    const scores = this.world.criteria.map((criterion, c) => ({
      criterion: criterion.id,
      score: Math.round(clamp(this.biasedScore(latent, c, juror) + profile.noise * normal(random), 0, 10) * 10) / 10,
      reason: 'simulated judge',
    }));
    const flags: Array<{ kind: 'sensitive' | 'unclear'; reason: string }> = [];
    if (latent.sensitive) flags.push({ kind: 'sensitive', reason: 'it touches personal ground the person may not want shared' });
    const unclear = this.world.unclear;
    // Every juror reads the same ambiguity in the same text: the draw is the text's, not the juror's.
    if (unclear && this.random(`unclear:${digest(text)}`)() < unclear.rate) {
      flags.push({ kind: 'unclear', reason: `the criterion "${unclear.criterion}" can be read two ways` });
    }
    return JSON.stringify({ scores, constraints: [], flags, critique: 'Work on the weakest criterion.' });
  }

  /** Text whose words reflect the latents; a deepening keeps most of its parent's words. */
  private write(latent: Latent, key: string, random: () => number, parentText?: string): string {
    const words: string[] = [];
    latent.style.forEach((s, j) => {
      const [low, high] = STYLE_WORDS[j % STYLE_WORDS.length] as readonly [string[], string[]];
      const count = 8;
      const highCount = Math.round(s * count);
      for (let i = 0; i < count; i++) words.push(pick(i < highCount ? high : low, random));
    });
    words.push(latent.lensId, latent.lensId);
    for (let i = 0; i < 6; i++) words.push(pick(FILLER, random));
    let body = shuffle(words, random).join(' ');
    // Padding goes at the end, from its own stream: it makes a text longer, not different.
    if (latent.pad > 0) {
      const filler = this.random(`pad:${key}#${this.counters.get(key) ?? 0}`);
      body = `${body} ${Array.from({ length: latent.pad }, () => pick(FILLER, filler)).join(' ')}`;
    }
    if (parentText) {
      // Keep about half of the parent's words: a deepening is recognisably the same piece.
      const kept = bodyOf(parentText).split(' ').filter(() => random() < 0.5);
      body = `${kept.join(' ')} ${body}`;
    }
    const id = `${key}#${this.counters.get(key) ?? 0}`;
    return this.remember(`[sim ${digest(`${this.seed}:${id}`).slice(0, 8)}]\n${body}`, latent);
  }

  private remember(text: string, latent: Latent): string {
    const trimmed = text.trim();
    this.latents.set(trimmed, latent);
    return trimmed;
  }

  /** A second generator for the latest task with this key (padding, sensitivity). */
  private extra(key: string): () => number {
    return this.random(`extra:${key}#${this.counters.get(key) ?? 0}`);
  }

  private padding(random: () => number): number {
    return this.world.padding > 0 ? Math.floor(random() * (this.world.padding + 1)) : 0;
  }

  /** The generator of the n-th task with this key. */
  private next(key: string): () => number {
    const n = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, n);
    return this.random(`${key}#${n}`);
  }

  random(key: string): () => number {
    return mulberry32(Number.parseInt(digest(`${this.world.seed}:${this.seed}:${key}`).slice(0, 8), 16));
  }
}

function bodyOf(text: string): string {
  return text.replace(/^\[sim [^\]]*\]\n/u, '').trim();
}

function digest(text: string): string {
  return createHash('sha256').update(text.trim()).digest('hex');
}

export function normal(random: () => number): number {
  const radius = Math.sqrt(-2 * Math.log(1 - random()));
  return radius * Math.cos(2 * Math.PI * random());
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}
