import { describe, expect, it } from 'vitest';
import { ProviderLimits, rateFromEnv, rateWindow } from './concurrency.js';

describe('provider limits in one process', () => {
  it('turn requests per minute into short fixed windows, so a burst at an edge stays small', () => {
    expect(rateWindow(600)).toEqual({ points: 10, duration: 1 });
    expect(rateWindow(60)).toEqual({ points: 1, duration: 1 });
    expect(rateWindow(30)).toEqual({ points: 1, duration: 2 });
  });

  it('hold the calls in flight to the limit and let the rest wait their turn', async () => {
    const gate = new ProviderLimits().for('openai', { concurrency: 2 });
    let now = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const calls = Array.from({ length: 5 }, () =>
      gate.run(async () => {
        now += 1;
        most = Math.max(most, now);
        await new Promise<void>((resolve) => release.push(resolve));
        now -= 1;
      }),
    );
    for (let done = 0; done < 5; done += 1) {
      while (release.length === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(now).toBeLessThanOrEqual(2);
      release.shift()?.();
    }
    await Promise.all(calls);
    expect(most).toBe(2);
  });

  it('read the rate from BATON_<PROVIDER>_REQUESTS_PER_MINUTE and refuse a value that is not a whole number', () => {
    expect(rateFromEnv('openai-compatible', { BATON_OPENAI_COMPATIBLE_REQUESTS_PER_MINUTE: '120' })).toBe(120);
    expect(rateFromEnv('openai', {}, 30)).toBe(30);
    expect(() => rateFromEnv('openai', { BATON_OPENAI_REQUESTS_PER_MINUTE: 'fast' })).toThrow(/whole number of requests per minute/u);
  });
});
