import { describe, expect, it } from 'vitest';
import { comparativeTest, effectGrid, thresholdTest } from '../../../actions/canary-analyze/sequential.js';

const options = { alpha: 0.01, beta: 0.1, grid: effectGrid(1.5) };

/** Seeded uniform numbers, so the error-rate checks are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function binomial(n: number, p: number, random: () => number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

describe('comparativeTest', () => {
  it('rejects a canary with five times the baseline error rate', () => {
    const intervals = Array.from({ length: 10 }, () => ({
      canaryRequests: 1000,
      canaryEvents: 25,
      baselineRequests: 19_000,
      baselineEvents: 95,
    }));
    const result = comparativeTest(intervals, options);
    expect(result.state).toBe('reject');
    expect(result.logMixture).toBeGreaterThan(Math.log(100));
  });

  it('accepts a canary equal to the baseline once enough errors were seen', () => {
    const intervals = Array.from({ length: 30 }, () => ({
      canaryRequests: 1000,
      canaryEvents: 5,
      baselineRequests: 19_000,
      baselineEvents: 95,
    }));
    expect(comparativeTest(intervals, options).state).toBe('accept');
  });

  it('learns nothing from intervals without errors or without traffic', () => {
    const intervals = [
      { canaryRequests: 1000, canaryEvents: 0, baselineRequests: 19_000, baselineEvents: 0 },
      { canaryRequests: 0, canaryEvents: 0, baselineRequests: 19_000, baselineEvents: 4 },
    ];
    const result = comparativeTest(intervals, options);
    expect(result).toMatchObject({ state: 'undecided', logMixture: 0, informative: 0 });
  });

  it('keeps false alarms below α over 30 looks at an A/A canary', () => {
    const random = seeded(42);
    let alarms = 0;
    const runs = 400;
    for (let run = 0; run < runs; run++) {
      const intervals = [];
      for (let look = 0; look < 30; look++) {
        intervals.push({
          canaryRequests: 300,
          canaryEvents: binomial(300, 0.02, random),
          baselineRequests: 5700,
          baselineEvents: binomial(5700, 0.02, random),
        });
        if (comparativeTest(intervals, options).state === 'reject') {
          alarms++;
          break;
        }
      }
    }
    // α = 1 %; 400 runs make 4 expected at the bound, far fewer in practice.
    expect(alarms).toBeLessThanOrEqual(4);
  });
});

describe('thresholdTest', () => {
  it('rejects a rate clearly above the limit and not one below it', () => {
    const above = Array.from({ length: 5 }, () => ({ requests: 2000, events: 60 }));
    expect(thresholdTest(above, 0.01, options).state).toBe('reject');
    const below = Array.from({ length: 5 }, () => ({ requests: 2000, events: 4 }));
    expect(thresholdTest(below, 0.01, options).state).toBe('accept');
  });
});
