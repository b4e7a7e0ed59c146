import type { CustomMetric } from './custom-metrics.js';
import type { MetricResult } from './judge.js';
import { type PrometheusClient, PrometheusError } from './prometheus.js';
import type { AnalysisSettings } from './settings.js';
import { promqlDuration, renderQuery, usesTarget } from './template.js';

interface Value {
  value?: number;
  why?: string;
  error?: PrometheusError;
}

/** Runs a custom query for one workload; `{{interval}}` is the whole window. */
async function valueFor(client: PrometheusClient, query: string, end: Date): Promise<Value> {
  try {
    const samples = await client.instant(query, end);
    if (samples.length === 0) return { why: 'the query returned no series' };
    const finite = samples.map((s) => s.value).filter((v) => Number.isFinite(v));
    if (finite.length === 0) return { why: 'the query returned NaN or infinite values only' };
    if (finite.length > 1) return { why: `the query returned ${finite.length} series; aggregate it to one` };
    return { value: finite[0]! };
  } catch (error) {
    if (error instanceof PrometheusError) return { error };
    throw error;
  }
}

/**
 * Judges a custom metric: the canary's value against its threshold and, when the query
 * selects on `{{target}}`, against the baseline's value times maxRatio. Like the builtins, it
 * is judged only once the canary has served the minimum number of requests.
 */
export async function judgeCustom(
  client: PrometheusClient,
  settings: AnalysisSettings,
  metric: CustomMetric,
  window: { start: Date; end: Date },
  canaryRequests: number,
): Promise<MetricResult> {
  const values = {
    namespace: settings.namespace,
    canary: settings.canary,
    stable: settings.baseline,
    interval: promqlDuration(Math.max(1000, window.end.getTime() - window.start.getTime())),
  };
  const where = `metric "${metric.name}"`;
  const canaryQuery = renderQuery(metric.query, { ...values, target: settings.canary }, where);
  const compares = usesTarget(metric.query);
  const baselineQuery = compares
    ? renderQuery(metric.query, { ...values, target: settings.baseline }, where)
    : undefined;
  const result: MetricResult = {
    name: metric.name,
    kind: 'custom',
    verdict: 'insufficient',
    critical: metric.critical,
    unit: '',
    ...(metric.threshold !== undefined ? { threshold: metric.threshold } : {}),
    samples: { canary: canaryRequests, baseline: 0 },
    tests: [],
    reason: '',
    queries: [canaryQuery, ...(baselineQuery ? [baselineQuery] : [])],
  };
  const canary = await valueFor(client, canaryQuery, window.end);
  const baseline = baselineQuery ? await valueFor(client, baselineQuery, window.end) : undefined;
  const failed = canary.error ?? baseline?.error;
  if (failed) {
    result.verdict = 'error';
    result.reason = `${failed.message} — query: ${failed.query}`;
    return result;
  }
  if (canary.value === undefined || Number.isNaN(canary.value)) {
    result.verdict = 'nodata';
    result.reason = `canary: ${canary.why ?? 'no value'}`;
    return result;
  }
  result.canary = canary.value;
  if (baseline?.value !== undefined && !Number.isNaN(baseline.value)) {
    result.baseline = baseline.value;
    result.delta = canary.value - baseline.value;
    result.ratio = baseline.value !== 0 ? canary.value / baseline.value : undefined;
  }
  if (canaryRequests < settings.minRequests) {
    result.reason = `${canaryRequests} canary requests, fewer than the ${settings.minRequests} needed to judge`;
    return result;
  }
  const lowerIsBetter = metric.direction === 'lower-is-better';
  const failures: string[] = [];
  if (metric.threshold !== undefined) {
    const beyond = lowerIsBetter ? canary.value > metric.threshold : canary.value < metric.threshold;
    if (beyond)
      failures.push(
        `${canary.value} is ${lowerIsBetter ? 'above' : 'below'} the threshold ${metric.threshold}`,
      );
  }
  if (metric.maxRatio !== undefined) {
    if (result.baseline === undefined) {
      result.verdict = 'nodata';
      result.reason = compares
        ? `baseline: ${baseline?.why ?? 'no value'}; cannot compare with maxRatio ${metric.maxRatio}`
        : `maxRatio needs a query that selects on {{target}}`;
      return result;
    }
    const worse = lowerIsBetter
      ? canary.value > result.baseline * metric.maxRatio
      : canary.value * metric.maxRatio < result.baseline;
    if (worse)
      failures.push(
        `${canary.value} is more than ×${metric.maxRatio} ${lowerIsBetter ? 'above' : 'below'} the baseline's ${result.baseline}`,
      );
  }
  result.verdict = failures.length ? 'fail' : 'pass';
  result.reason = failures.length ? failures.join('; ') : 'within its limits';
  return result;
}
