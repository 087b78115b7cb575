import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimPerson } from '../../bench/attention/person.js';
import { SimWorld } from '../../bench/attention/sim.js';
import type { World } from '../../bench/attention/world.js';
import { parseWorld, WorldError } from '../../bench/attention/world.js';

/**
 * The simulated worlds' untidy parts: a judge with biases (padding read as substance, a favoured
 * lens, the first of a pair), flags where the world says so, a person with noisy choices and a
 * drifting taste who pays for sensitive content accepted unseen. Each is checked against the same
 * world without it, so the effect is the feature's.
 */

const WORLDS = join(import.meta.dirname, '../../bench/attention/worlds');
const raw = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(WORLDS, `${name}.json`), 'utf8')) as Record<string, unknown>;
const world = (name: string, patch: Record<string, unknown> = {}): World => parseWorld(JSON.stringify({ ...raw(name), ...patch }), `${name}.json`);

const scoresOf = (answer: string): number[] => (JSON.parse(answer) as { scores: Array<{ score: number }> }).scores.map((s) => s.score);
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('the simulated judge', () => {
  it('reads padding as substance and favours its lens, by the points the world gives', () => {
    const plain = new SimWorld(world('moderate', { padding: 30 }), 3);
    const biased = new SimWorld(world('moderate', { padding: 30, judge: { lengthBias: 1, favouredLens: { lens: 'bold', points: 2 } } }), 3);
    for (const lens of ['bold', 'plain']) {
      const a = plain.open(lens);
      const b = biased.open(lens);
      const latent = biased.latentOf(b);
      expect(plain.latentOf(a)).toEqual(latent);
      const expected = latent.pad / 10 + (lens === 'bold' ? 2 : 0);
      // Same text, same noise: the difference is the bias (up to the clamp at 10 and rounding).
      scoresOf(biased.judge(b)).forEach((score, c) => {
        const unbiased = scoresOf(plain.judge(a))[c] as number;
        if (score < 10) expect(score - unbiased).toBeCloseTo(expected, 0);
      });
    }
    expect(biased.latentOf(biased.open('plain')).pad).toBeLessThanOrEqual(30);
  });

  it('favours the text it reads first in a comparison by its position bias', () => {
    const sim = new SimWorld(world('moderate', { judge: { position: 20 } }), 1);
    const a = sim.open('plain');
    const b = sim.open('bold');
    const winner = (first: string, second: string): string => (JSON.parse(sim.compare(first, second)) as { winner: string }).winner;
    expect([winner(a, b), winner(b, a)]).toEqual(['first', 'first']);
    const fair = new SimWorld(world('moderate'), 1);
    const fa = fair.open('plain');
    const fb = fair.open('bold');
    const verdicts = [(JSON.parse(fair.compare(fa, fb)) as { winner: string }).winner, (JSON.parse(fair.compare(fb, fa)) as { winner: string }).winner];
    expect(verdicts).not.toEqual(['first', 'first']);
  });

  it('flags sensitive the candidates of the world’s sensitive lenses, and unclear at its rate', () => {
    const sim = new SimWorld(world('sensitive', { sensitive: { lenses: ['warm'], rate: 1, cost: 0.3 }, unclear: { criterion: 'depth', rate: 1 } }), 2);
    const warm = sim.open('warm');
    const flags = (text: string): string[] => (JSON.parse(sim.judge(text)) as { flags: Array<{ kind: string }> }).flags.map((f) => f.kind);
    expect(flags(warm)).toEqual(['sensitive', 'unclear']);
    expect(flags(sim.deepen(warm))).toContain('sensitive');
    expect(flags(sim.open('plain'))).toEqual(['unclear']);
  });

  it('gives each juror its own noise and biases, under a model id of its own', () => {
    const sim = new SimWorld(world('biased'), 4);
    const text = sim.open('formal');
    expect([0, 1, 2].map((j) => sim.modelId(j))).toEqual(['sim:biased', 'sim:biased-j2', 'sim:biased-j3']);
    expect(new Set([0, 1, 2].map((j) => sim.judge(text, j))).size).toBe(3);
    expect(() => sim.profile(3)).toThrow(/no juror 4/u);
  });

  it('refuses a bias or flag naming a lens or criterion the world does not have, saying where', () => {
    expect(() => world('moderate', { judge: { favouredLens: { lens: 'nope', points: 1 } } })).toThrow(WorldError);
    expect(() => world('moderate', { judge: { favouredLens: { lens: 'nope', points: 1 } } })).toThrow(/judge\.favouredLens\.lens: no lens "nope"/u);
    expect(() => world('moderate', { unclear: { criterion: 'length', rate: 0.1 } })).toThrow(/unclear\.criterion: no criterion "length"/u);
  });
});

describe('the simulated person', () => {
  it('pays for sensitive content accepted unseen, not for what they were shown', () => {
    const sim = new SimWorld(world('sensitive', { sensitive: { lenses: ['warm'], rate: 1, cost: 0.3 } }), 5);
    const person = new SimPerson(sim);
    const warm = sim.open('warm');
    expect(person.acceptedUtility(warm)).toBeCloseTo(person.utility(warm) - 0.3, 12);
    person.see([warm]);
    expect(person.acceptedUtility(warm)).toBeCloseTo(person.utility(warm), 12);
    const plain = sim.open('plain');
    expect(person.acceptedUtility(plain)).toBe(person.utility(plain));
  });

  it('chooses with noise when the world says so, and always the same way for a seed', () => {
    const texts = (sim: SimWorld): string[] => ['plain', 'warm', 'bold', 'story', 'letter'].map((l) => sim.open(l));
    const picks = (choiceNoise: number, seed: number): number[] => {
      const sim = new SimWorld(world('moderate', { person: { choiceNoise } }), seed);
      const options = texts(sim);
      const person = new SimPerson(sim);
      return Array.from({ length: 40 }, () => person.favourite(options));
    };
    expect(new Set(picks(0, 1)).size).toBe(1);
    expect(new Set(picks(0.2, 1)).size).toBeGreaterThan(1);
    expect(picks(0.2, 1)).toEqual(picks(0.2, 1));
  });

  it('drifts: their taste at the end differs from their taste at the start, by a per-seed amount', () => {
    const sim = new SimWorld(world('moderate', { person: { drift: 1 } }), 6);
    const person = new SimPerson(sim);
    const texts = ['plain', 'warm', 'bold', 'formal'].map((l) => sim.open(l));
    const start = texts.map((t) => person.utilityOf(sim.latentOf(t), 0));
    const end = texts.map((t) => person.utility(t));
    expect(mean(end.map((u, i) => Math.abs(u - (start[i] as number))))).toBeGreaterThan(0.001);
    const still = new SimPerson(new SimWorld(world('moderate'), 6));
    const sameSim = new SimWorld(world('moderate'), 6);
    const t = sameSim.open('plain');
    expect(still.utilityOf(sameSim.latentOf(t), 0)).toBe(still.utilityOf(sameSim.latentOf(t), 1));
  });
});
