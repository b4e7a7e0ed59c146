import { describe, expect, it } from 'vitest';
import { decide } from '../../../actions/canary-analyze/decide.js';
import type { MetricResult, Verdict } from '../../../actions/canary-analyze/judge.js';

function metric(name: string, verdict: Verdict, critical = false): MetricResult {
  return {
    name,
    kind: 'builtin',
    verdict,
    critical,
    unit: '',
    samples: { canary: 0, baseline: 0 },
    tests: [],
    reason: `${name} ${verdict}`,
    queries: [],
  };
}

const options = {
  maxFailures: 1,
  onNoData: 'inconclusive' as const,
  elapsedMs: 30 * 60_000,
  minDurationMs: 10 * 60_000,
  final: false,
};

describe('decide', () => {
  it('promotes only when every metric passes and the minimum time has passed', () => {
    const all = [metric('error-rate', 'pass', true), metric('latency-p95', 'pass', true)];
    expect(decide(all, options).decision).toBe('promote');
    expect(decide(all, { ...options, elapsedMs: 60_000 }).decision).toBe('continue');
  });

  it('never promotes without data: no data continues, and is inconclusive at the end', () => {
    const metrics = [metric('error-rate', 'nodata', true), metric('latency-p95', 'pass', true)];
    expect(decide(metrics, options)).toMatchObject({
      decision: 'continue',
      inconclusive: ['error-rate'],
      score: 50,
    });
    expect(decide(metrics, { ...options, final: true }).decision).toBe('inconclusive');
    expect(decide(metrics, { ...options, onNoData: 'fail' })).toMatchObject({
      decision: 'rollback',
      failed: ['error-rate'],
    });
  });

  it('is inconclusive when a query failed, whatever else passes', () => {
    const metrics = [metric('error-rate', 'pass', true), metric('queue', 'error')];
    expect(decide(metrics, { ...options, final: false }).decision).toBe('inconclusive');
  });

  it('rolls back on a critical failure at once, and on non-critical ones at max-failures', () => {
    expect(decide([metric('error-rate', 'fail', true), metric('x', 'insufficient')], options).decision).toBe(
      'rollback',
    );
    const twoSoft = [metric('a', 'fail'), metric('b', 'fail'), metric('c', 'pass')];
    expect(decide(twoSoft, { ...options, maxFailures: 3 }).decision).toBe('continue');
    expect(decide(twoSoft, { ...options, maxFailures: 2 }).decision).toBe('rollback');
  });
});
