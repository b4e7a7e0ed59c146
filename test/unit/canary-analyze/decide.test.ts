import { describe, expect, it } from 'vitest';
import { decide } from '../../../actions/canary-analyze/decide.js';
import type { MetricResult, TestReport, Verdict } from '../../../actions/canary-analyze/judge.js';

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

  describe('gate next-step (between canary weights)', () => {
    const test = (kind: TestReport['kind'], state: TestReport['state']): TestReport => ({
      name: `${kind} ${state}`,
      kind,
      state,
      logMixture: 0,
      rejectAt: 6,
      logAtMinimum: 0,
      acceptAt: -2.3,
      alpha: 0.002,
      informativeIntervals: 10,
    });
    const open = (name: string, absolute: TestReport['state']): MetricResult => ({
      ...metric(name, 'insufficient', true),
      tests: [test('absolute', absolute), test('comparative', 'undecided')],
    });
    const last = { ...options, final: true, gate: 'next-step' as const };

    it('moves on at the end when every open metric is within its thresholds', () => {
      const metrics = [
        open('error-rate', 'accept'),
        open('latency-p95', 'accept'),
        metric('latency-p99', 'pass'),
      ];
      const result = decide(metrics, last);
      expect(result.decision).toBe('continue');
      expect(result.reason).toMatch(/ready for the next weight/);
      expect(result.inconclusive).toEqual(['error-rate', 'latency-p95']);
    });

    it('keeps the promote gate strict, and waits for the end of the step', () => {
      const metrics = [open('error-rate', 'accept')];
      expect(decide(metrics, { ...last, gate: 'promote' }).decision).toBe('inconclusive');
      expect(decide(metrics, { ...last, final: false }).reason).toMatch(/not enough evidence yet/);
    });

    it('never moves on with a threshold still open, no data, a failed query or a failure', () => {
      expect(decide([open('error-rate', 'undecided')], last).decision).toBe('inconclusive');
      expect(decide([{ ...open('error-rate', 'accept'), tests: [] }], last).decision).toBe('inconclusive');
      expect(
        decide([open('error-rate', 'accept'), metric('latency-p95', 'nodata', true)], last).decision,
      ).toBe('inconclusive');
      expect(decide([open('error-rate', 'accept'), metric('custom', 'error')], last).decision).toBe(
        'inconclusive',
      );
      expect(decide([open('error-rate', 'accept'), metric('latency-p95', 'fail', true)], last).decision).toBe(
        'rollback',
      );
    });
  });
});
