import { describe, expect, it } from 'vitest';
import { Semaphore } from './concurrency.js';
import { retryAfterMs } from './faults.js';
import { backoffDelay, DEFAULT_RETRY_POLICY } from './retry.js';

describe('Retry-After', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it('reads delta-seconds, an HTTP date, and OpenAI’s retry-after-ms', () => {
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3_000);
    expect(retryAfterMs({ 'Retry-After': '0.5' }, now)).toBe(500);
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Jun 2025 12:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': '3', 'retry-after-ms': '2750' }, now)).toBe(2_750);
  });

  it('takes a date already past as "now", and ignores what it cannot read', () => {
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Jun 2025 11:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '-3' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('backoff with full jitter', () => {
  it('draws below a bound that doubles each retry, up to the cap', () => {
    const top = (): number => 1 - Number.EPSILON;
    const bounds = [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, DEFAULT_RETRY_POLICY, top));
    expect(bounds).toEqual([999, 1_999, 3_999, 7_999, 15_999, 29_999, 29_999]);
    expect(backoffDelay(4, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
  });
});

describe('the per-provider semaphore', () => {
  it('lets a waiting caller give up without taking a slot', async () => {
    const semaphore = new Semaphore(1);
    let release: () => void = () => undefined;
    const held = semaphore.run(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const waiting = semaphore.run(() => Promise.resolve('ran'), controller.signal);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    release();
    await held;
    expect(semaphore.active).toBe(0);
    await expect(semaphore.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
