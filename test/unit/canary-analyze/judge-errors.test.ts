import { describe, expect, it } from 'vitest';
import type { WorkloadSeries } from '../../../actions/canary-analyze/collect.js';
import { judgeErrorRate } from '../../../actions/canary-analyze/judge.js';
import type { AnalysisSettings } from '../../../actions/canary-analyze/settings.js';

const settings = {
  minRequests: 100,
  confidence: 0.99,
  beta: 0.1,
  maxRatio: 1.5,
  intervalMs: 60_000,
  thresholds: { errorRate: 0.01, p95Ms: 500, p99Ms: 2000 },
  triggers: { errorRate: 0.01, p95Ms: 2000 },
  labels: { latencyMetric: 'http_request_duration_seconds_bucket' },
} as unknown as AnalysisSettings;

function side(workload: string, requests: number[], errors: number[]): WorkloadSeries {
  return {
    workload,
    times: requests.map((_, i) => 1_800_000_000 + 60 * i),
    requests,
    errors,
    latency: requests.map(() => undefined),
    hasRequestSeries: true,
    hasLatencySeries: false,
    nanIntervals: 0,
    queries: [],
  };
}

describe('error-rate judgement', () => {
  it('passes a canary with no errors against a baseline with none, once its rate is shown below the threshold', () => {
    const result = judgeErrorRate({
      settings,
      canary: side('web-canary', [400, 400, 400], [0, 0, 0]),
      baseline: side('web', [7600, 7600, 7600], [0, 0, 0]),
    });
    expect(result.tests.map((t) => t.state)).toEqual(['accept', 'undecided']);
    expect(result.verdict).toBe('pass');
    expect(result.reason).toMatch(/no errors on either side \(1200 canary, 22800 baseline requests\)/);
  });

  it('keeps waiting while the canary has too few requests to show its rate below the threshold', () => {
    const result = judgeErrorRate({
      settings,
      canary: side('web-canary', [120], [0]),
      baseline: side('web', [2280], [0]),
    });
    expect(result.verdict).toBe('insufficient');
  });

  it('still needs the comparison once either side has an error', () => {
    const result = judgeErrorRate({
      settings,
      canary: side('web-canary', [400, 400, 400], [1, 0, 0]),
      baseline: side('web', [7600, 7600, 7600], [0, 0, 0]),
    });
    expect(result.verdict).toBe('insufficient');
    expect(result.reason).toMatch(/too few errors yet/);
  });
});
