import type { Decision } from './inputs.js';
import type { MetricResult } from './judge.js';

export interface DecisionResult {
  decision: Decision;
  reason: string;
  /** Share of judged metrics that passed, 0–100 (metrics without a verdict count as not passed). */
  score: number;
  failed: string[];
  inconclusive: string[];
}

export interface DecideOptions {
  maxFailures: number;
  onNoData: 'inconclusive' | 'fail';
  /** Time the canary has been analysed, and the minimum before it may be promoted. */
  elapsedMs: number;
  minDurationMs: number;
  /** The last look: what is still undecided becomes inconclusive. */
  final: boolean;
  /**
   * What a pass allows. `next-step` (an analysis between canary weights): at the last look, a
   * canary whose every undecided metric is within its thresholds by its sequential tests, and
   * only short of the baseline comparison's evidence, may move on: the next weight sends it
   * more traffic, which brings that evidence. No data, errors and failures are never let on.
   */
  gate?: 'promote' | 'next-step';
}

/** Within every fixed threshold by its sequential tests; only the baseline comparison is open. */
function withinThresholds(metric: MetricResult): boolean {
  const absolute = metric.tests.filter((t) => t.kind === 'absolute');
  const comparative = metric.tests.filter((t) => t.kind === 'comparative');
  return (
    absolute.length > 0 &&
    absolute.every((t) => t.state === 'accept') &&
    comparative.every((t) => t.state !== 'reject')
  );
}

/**
 * The decision from the per-metric verdicts. No data never passes: a metric without data, with
 * too little, or whose query failed holds the canary at `continue` or `inconclusive`.
 */
export function decide(metrics: readonly MetricResult[], options: DecideOptions): DecisionResult {
  const failedMetrics = metrics.filter(
    (m) => m.verdict === 'fail' || (m.verdict === 'nodata' && options.onNoData === 'fail'),
  );
  const failed = failedMetrics.map((m) => m.name);
  const errors = metrics.filter((m) => m.verdict === 'error');
  const nodata = metrics.filter((m) => m.verdict === 'nodata' && options.onNoData === 'inconclusive');
  const pending = metrics.filter((m) => m.verdict === 'insufficient');
  const inconclusive = [...errors, ...nodata, ...pending].map((m) => m.name);
  const passed = metrics.filter((m) => m.verdict === 'pass').length;
  const score = metrics.length ? Math.round((100 * passed) / metrics.length) : 0;
  const base = { score, failed, inconclusive };
  const list = (ms: readonly MetricResult[]) => ms.map((m) => `${m.name} (${m.reason})`).join('; ');

  const critical = failedMetrics.filter((m) => m.critical);
  if (critical.length || (failed.length && failed.length >= options.maxFailures)) {
    const why = critical.length ? 'critical metric failed' : `${failed.length} metric(s) failed`;
    return {
      ...base,
      decision: 'rollback',
      reason: `${why}: ${list(critical.length ? critical : failedMetrics)}`,
    };
  }
  if (errors.length) {
    return { ...base, decision: 'inconclusive', reason: `Prometheus could not answer: ${list(errors)}` };
  }
  if (nodata.length) {
    return options.final
      ? { ...base, decision: 'inconclusive', reason: `no data: ${list(nodata)}` }
      : { ...base, decision: 'continue', reason: `waiting for data: ${list(nodata)}` };
  }
  if (pending.length && options.final && options.gate === 'next-step' && pending.every(withinThresholds)) {
    return {
      ...base,
      decision: 'continue',
      reason: `no regression at this weight: every metric is within its thresholds; ready for the next weight, where more canary traffic settles what is still open: ${list(pending)}`,
    };
  }
  if (pending.length) {
    return options.final
      ? {
          ...base,
          decision: 'inconclusive',
          reason: `still not enough evidence at the end of the analysis: ${list(pending)}`,
        }
      : { ...base, decision: 'continue', reason: `not enough evidence yet: ${list(pending)}` };
  }
  if (failed.length) {
    // Fewer failures than max-failures: not a rollback, but not a promotion either.
    return {
      ...base,
      decision: options.final ? 'inconclusive' : 'continue',
      reason: `${failed.length} metric(s) failed, below the ${options.maxFailures} that roll back: ${list(failedMetrics)}`,
    };
  }
  if (options.elapsedMs < options.minDurationMs) {
    return {
      ...base,
      decision: 'continue',
      reason: `every metric passes, but only ${Math.round(options.elapsedMs / 1000)} s of the ${Math.round(options.minDurationMs / 1000)} s minimum have been analysed`,
    };
  }
  return { ...base, decision: 'promote', reason: `all ${metrics.length} metrics pass with enough data` };
}
