import type { WorkloadSeries } from './collect.js';
import {
  boundAtOrAbove,
  countAbove,
  type Histogram,
  histogramQuantile,
  normalizeHistogram,
  totalCount,
} from './histogram.js';
import {
  type Counts,
  comparativeTest,
  effectGrid,
  type PairedCounts,
  type SequentialOptions,
  type SequentialResult,
  thresholdTest,
} from './sequential.js';
import type { AnalysisSettings } from './settings.js';

export type Verdict = 'pass' | 'fail' | 'insufficient' | 'nodata' | 'error';

/** A sequential test as the report shows it. */
export interface TestReport {
  name: string;
  /** Against a fixed threshold, or against the baseline. */
  kind: 'absolute' | 'comparative';
  state: SequentialResult['state'];
  /** log likelihood ratio of the mixture (fail at `rejectAt`). */
  logMixture: number;
  rejectAt: number;
  /** log likelihood ratio at the smallest effect (pass at `acceptAt`). */
  logAtMinimum: number;
  acceptAt: number;
  alpha: number;
  informativeIntervals: number;
}

/** One metric's judgement, with everything needed to explain it. */
export interface MetricResult {
  name: string;
  kind: 'builtin' | 'custom';
  verdict: Verdict;
  critical: boolean;
  unit: 'fraction' | 'ms' | 'req/s' | '';
  canary?: number;
  baseline?: number;
  threshold?: number;
  /** canary − baseline */
  delta?: number;
  /** canary / baseline */
  ratio?: number;
  samples: { canary: number; baseline: number };
  tests: TestReport[];
  reason: string;
  queries: string[];
  /** Per-interval values for the chart: [unix seconds, canary, baseline]. */
  series?: [number, number | null, number | null][];
}

const sum = (values: readonly (number | undefined)[]) => values.reduce<number>((a, v) => a + (v ?? 0), 0);

function sumHistograms(list: readonly (Histogram | undefined)[]): Histogram | undefined {
  const merged = new Map<number, number>();
  for (const h of list) {
    if (!h) continue;
    h.bounds.forEach((bound, i) => {
      merged.set(bound, (merged.get(bound) ?? 0) + h.counts[i]!);
    });
  }
  return merged.size ? normalizeHistogram(merged) : undefined;
}

function testReport(
  name: string,
  kind: TestReport['kind'],
  result: SequentialResult,
  alpha: number,
): TestReport {
  return {
    name,
    kind,
    state: result.state,
    logMixture: round(result.logMixture),
    rejectAt: round(result.rejectAt),
    logAtMinimum: round(result.logAtMinimum),
    acceptAt: round(result.acceptAt),
    alpha,
    informativeIntervals: result.informative,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** What the builtin judgements share: the error budget split over the sequential tests. */
export interface JudgeContext {
  settings: AnalysisSettings;
  canary: WorkloadSeries;
  baseline: WorkloadSeries;
  /** Latency bound the slow-request comparison counts above, fixed at the first look that sets it. */
  slowBoundMs?: number;
}

/**
 * The false-rollback budget α = 1 − confidence is split by Bonferroni: half over the two
 * comparisons with the baseline (errors, slow requests), half over the three absolute
 * thresholds (error rate, P95, P99). A canary as good as the baseline and within every
 * threshold is then rolled back with probability at most α, however many looks are taken.
 */
export function sequentialOptions(
  settings: AnalysisSettings,
  kind: 'comparative' | 'absolute',
): SequentialOptions {
  const alpha = (1 - settings.confidence) / (kind === 'comparative' ? 4 : 6);
  return { alpha, beta: settings.beta, grid: effectGrid(settings.maxRatio) };
}

/** Why a workload's data cannot be judged at all, or undefined when it can. */
function missing(side: WorkloadSeries, role: string, hasData: boolean): string | undefined {
  if (side.error) return undefined;
  if (!side.hasRequestSeries) {
    return `no request series for ${role} "${side.workload}" in the window (wrong name or labels, or no traffic yet)`;
  }
  if (!hasData) {
    return side.nanIntervals
      ? `Prometheus returned NaN for ${role} "${side.workload}" in ${side.nanIntervals} interval(s): no traffic`
      : `${role} "${side.workload}" served no requests in the window`;
  }
  return undefined;
}

function base(name: string, unit: MetricResult['unit'], critical: boolean, ctx: JudgeContext): MetricResult {
  return {
    name,
    kind: 'builtin',
    verdict: 'insufficient',
    critical,
    unit,
    samples: { canary: sum(ctx.canary.requests), baseline: sum(ctx.baseline.requests) },
    tests: [],
    reason: '',
    queries: [...ctx.canary.queries, ...ctx.baseline.queries],
  };
}

/** Checks shared by every builtin metric: query errors, missing data, too few requests. */
function precheck(result: MetricResult, ctx: JudgeContext, needsBaseline: boolean): boolean {
  const failed = ctx.canary.error ?? (needsBaseline ? ctx.baseline.error : undefined);
  if (failed) {
    result.verdict = 'error';
    result.reason = `${failed.message} — query: ${failed.query}`;
    return false;
  }
  const why =
    missing(ctx.canary, 'canary', result.samples.canary > 0) ??
    (needsBaseline ? missing(ctx.baseline, 'baseline', result.samples.baseline > 0) : undefined);
  if (why) {
    result.verdict = 'nodata';
    result.reason = why;
    return false;
  }
  if (result.samples.canary < ctx.settings.minRequests) {
    result.verdict = 'insufficient';
    result.reason = `${result.samples.canary} canary requests, fewer than the ${ctx.settings.minRequests} needed to judge`;
    return false;
  }
  return true;
}

function paired(
  ctx: JudgeContext,
  events: (side: WorkloadSeries, i: number) => number | undefined,
): PairedCounts[] {
  return ctx.canary.times.flatMap((_, i) => {
    const canaryEvents = events(ctx.canary, i);
    const baselineEvents = events(ctx.baseline, i);
    const canaryRequests = ctx.canary.requests[i];
    const baselineRequests = ctx.baseline.requests[i];
    if (
      canaryEvents === undefined ||
      baselineEvents === undefined ||
      canaryRequests === undefined ||
      baselineRequests === undefined
    )
      return [];
    return [{ canaryRequests, canaryEvents, baselineRequests, baselineEvents }];
  });
}

function single(side: WorkloadSeries, events: (i: number) => number | undefined): Counts[] {
  return side.times.flatMap((_, i) => {
    const requests = side.requests[i];
    const count = events(i);
    return requests === undefined || count === undefined ? [] : [{ requests, events: count }];
  });
}

const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;
const ms = (x: number) => `${Math.round(x)} ms`;

/** Combines an absolute and a comparative judgement into the metric's verdict and reason. */
function conclude(
  result: MetricResult,
  failures: string[],
  passes: { absolute: boolean; comparative: boolean | undefined },
  pending: string[],
): void {
  if (failures.length) {
    result.verdict = 'fail';
    result.reason = failures.join('; ');
  } else if (passes.absolute && passes.comparative !== false) {
    result.verdict = 'pass';
    result.reason = pending.length
      ? pending.join('; ')
      : 'within the threshold and not worse than the baseline';
  } else {
    result.verdict = 'insufficient';
    result.reason = `not decided yet: ${pending.join('; ')}`;
  }
}

export function judgeErrorRate(ctx: JudgeContext): MetricResult {
  const { settings } = ctx;
  const result = base('error-rate', 'fraction', true, ctx);
  result.threshold = settings.thresholds.errorRate;
  if (!precheck(result, ctx, true)) return result;
  const canaryErrors = sum(ctx.canary.errors);
  const baselineErrors = sum(ctx.baseline.errors);
  result.canary = canaryErrors / result.samples.canary;
  result.baseline = baselineErrors / result.samples.baseline;
  result.delta = result.canary - result.baseline;
  result.ratio = result.baseline > 0 ? result.canary / result.baseline : undefined;
  result.series = ctx.canary.times.map((t, i) => [
    t,
    rate(ctx.canary.errors[i], ctx.canary.requests[i]),
    rate(ctx.baseline.errors[i], ctx.baseline.requests[i]),
  ]);

  const options = sequentialOptions(settings, 'absolute');
  const failures: string[] = [];
  const pending: string[] = [];
  const threshold = thresholdTest(
    single(ctx.canary, (i) => ctx.canary.errors[i]),
    settings.thresholds.errorRate,
    options,
  );
  result.tests.push(
    testReport(`above ${pct(settings.thresholds.errorRate)}`, 'absolute', threshold, options.alpha),
  );
  if (threshold.state === 'reject') {
    const trigger =
      result.canary > settings.triggers.errorRate
        ? `, beyond the rollback trigger ${pct(settings.triggers.errorRate)}`
        : '';
    failures.push(
      `canary error rate ${pct(result.canary)} is above the threshold ${pct(settings.thresholds.errorRate)}${trigger} (sequential test, confidence ${pct(1 - options.alpha)})`,
    );
  }
  const absolute = result.canary <= settings.thresholds.errorRate;
  if (!absolute && !failures.length) {
    pending.push(
      `error rate ${pct(result.canary)} is above ${pct(settings.thresholds.errorRate)} but not yet significantly`,
    );
  }

  const comparing = sequentialOptions(settings, 'comparative');
  const comparison = comparativeTest(
    paired(ctx, (side, i) => side.errors[i]),
    comparing,
  );
  result.tests.push(
    testReport(
      `canary vs baseline (×${settings.maxRatio} or worse)`,
      'comparative',
      comparison,
      comparing.alpha,
    ),
  );
  // Not one error on either side: the comparison counts errors, so it has nothing to count and
  // can never move. Once the canary's rate is shown below the threshold, no regression against
  // the baseline is observable, and waiting for one would hold a clean canary forever.
  const nothingToCompare =
    comparison.state === 'undecided' && canaryErrors + baselineErrors === 0 && threshold.state === 'accept';
  if (comparison.state === 'reject') {
    failures.push(
      `canary errors ${pct(result.canary)} vs baseline ${pct(result.baseline)}: a regression of at least ×${settings.maxRatio} (sequential test, confidence ${pct(1 - comparing.alpha)})`,
    );
  } else if (nothingToCompare) {
    pending.push(
      `no errors on either side (${Math.round(result.samples.canary)} canary, ${Math.round(result.samples.baseline)} baseline requests): nothing to compare with the baseline, and the canary's error rate is below ${pct(settings.thresholds.errorRate)} by the sequential test`,
    );
  } else if (comparison.state === 'undecided') {
    pending.push(`too few errors yet to rule out a ×${settings.maxRatio} regression against the baseline`);
  }
  conclude(
    result,
    failures,
    { absolute, comparative: comparison.state === 'accept' || nothingToCompare },
    pending,
  );
  return result;
}

function rate(errors: number | undefined, requests: number | undefined): number | null {
  return errors === undefined || !requests ? null : errors / requests;
}

function quantileOrNull(q: number, h: Histogram | undefined): number | null {
  if (!h || !(totalCount(h) > 0)) return null;
  const v = histogramQuantile(q, h);
  return Number.isNaN(v) ? null : v;
}

/** Fraction of slow requests beyond which quantile q is above a bound: 5 % for P95, 1 % for P99. */
function latencyJudgement(ctx: JudgeContext, q: 0.95 | 0.99): MetricResult {
  const { settings } = ctx;
  const name = q === 0.95 ? 'latency-p95' : 'latency-p99';
  const limit = q === 0.95 ? settings.thresholds.p95Ms : settings.thresholds.p99Ms;
  const result = base(name, 'ms', q === 0.95, ctx);
  result.threshold = limit;
  const comparative = q === 0.95;
  if (!precheck(result, ctx, comparative)) return result;
  const canaryHist = sumHistograms(ctx.canary.latency);
  const baselineHist = sumHistograms(ctx.baseline.latency);
  if (!canaryHist || !(totalCount(canaryHist) > 0)) {
    result.verdict = 'nodata';
    result.reason = ctx.canary.hasLatencySeries
      ? `the canary's latency histogram holds no observations`
      : `no latency histogram for canary "${ctx.canary.workload}" (${settings.labels.latencyMetric})`;
    return result;
  }
  result.canary = histogramQuantile(q, canaryHist);
  if (baselineHist && totalCount(baselineHist) > 0) {
    result.baseline = histogramQuantile(q, baselineHist);
    result.delta = result.canary - result.baseline;
    result.ratio = result.baseline > 0 ? result.canary / result.baseline : undefined;
  }
  result.series = ctx.canary.times.map((t, i) => [
    t,
    quantileOrNull(q, ctx.canary.latency[i]),
    quantileOrNull(q, ctx.baseline.latency[i]),
  ]);
  const options = sequentialOptions(settings, 'absolute');
  const share = 1 - q;
  const failures: string[] = [];
  const pending: string[] = [];
  // The quantile exceeds the limit when more than `share` of requests are slower than a bucket
  // bound at or above it; without such a bound the histogram cannot show it, and only the
  // interpolated value is compared.
  const bound = boundAtOrAbove(limit, canaryHist);
  if (bound !== undefined) {
    const slow = ctx.canary.latency.flatMap((h) =>
      h ? [{ requests: totalCount(h), events: countAbove(bound, h) }] : [],
    );
    const test = thresholdTest(slow, share, options);
    result.tests.push(
      testReport(`slower than ${ms(bound)} for more than ${pct(share)}`, 'absolute', test, options.alpha),
    );
    if (test.state === 'reject') {
      const trigger =
        q === 0.95 && result.canary > settings.triggers.p95Ms
          ? `, beyond the rollback trigger ${ms(settings.triggers.p95Ms)}`
          : '';
      failures.push(
        `canary P${q * 100} ${ms(result.canary)} is above the threshold ${ms(limit)}${trigger} (more than ${pct(share)} of requests slower than ${ms(bound)}; sequential test, confidence ${pct(1 - options.alpha)})`,
      );
    }
  }
  const absolute = result.canary <= limit;
  if (!absolute && !failures.length)
    pending.push(`P${q * 100} ${ms(result.canary)} is above ${ms(limit)} but not yet significantly`);

  let comparativePass: boolean | undefined;
  if (comparative) {
    if (ctx.slowBoundMs === undefined && result.baseline !== undefined && baselineHist) {
      ctx.slowBoundMs = boundAtOrAbove(result.baseline, baselineHist);
    }
    const slowBound = ctx.slowBoundMs;
    if (slowBound === undefined) {
      comparativePass = false;
      pending.push('the baseline has no latency data (or its P95 is in the +Inf bucket) to compare with');
    } else {
      const pairs = paired(ctx, (side, i) => {
        const h = side.latency[i];
        return h ? countAbove(slowBound, h) : undefined;
      }).map((p, i) => ({ ...p, ...requestsFromHistograms(ctx, i) }));
      const comparing = sequentialOptions(settings, 'comparative');
      const comparison = comparativeTest(pairs, comparing);
      result.tests.push(
        testReport(
          `requests slower than ${ms(slowBound)}: canary vs baseline (×${settings.maxRatio} or worse)`,
          'comparative',
          comparison,
          comparing.alpha,
        ),
      );
      if (comparison.state === 'reject') {
        failures.push(
          `canary requests slower than ${ms(slowBound)} (the baseline's P95 bucket) are at least ×${settings.maxRatio} as frequent as the baseline's (canary P95 ${ms(result.canary)}, baseline ${ms(result.baseline ?? Number.NaN)}; sequential test, confidence ${pct(1 - comparing.alpha)})`,
        );
      } else if (comparison.state === 'undecided') {
        pending.push(
          `too few slow requests yet to rule out a ×${settings.maxRatio} increase against the baseline`,
        );
      }
      comparativePass = comparison.state === 'accept';
    }
  }
  conclude(result, failures, { absolute, comparative: comparativePass }, pending);
  return result;
}

/** Slow-request shares are taken among requests the histogram saw, on both sides. */
function requestsFromHistograms(ctx: JudgeContext, i: number): Partial<PairedCounts> {
  const c = ctx.canary.latency[i];
  const b = ctx.baseline.latency[i];
  return {
    ...(c ? { canaryRequests: totalCount(c) } : {}),
    ...(b ? { baselineRequests: totalCount(b) } : {}),
  };
}

export const judgeLatencyP95 = (ctx: JudgeContext) => latencyJudgement(ctx, 0.95);
export const judgeLatencyP99 = (ctx: JudgeContext) => latencyJudgement(ctx, 0.99);

/** Traffic: never fails a canary, but says whether there is enough of it to judge. */
export function judgeRequestRate(ctx: JudgeContext): MetricResult {
  const result = base('request-rate', 'req/s', false, ctx);
  if (!precheck(result, ctx, false)) return result;
  const seconds = (side: WorkloadSeries) =>
    (side.requests.filter((v) => v !== undefined).length * ctx.settings.intervalMs) / 1000;
  result.canary = result.samples.canary / Math.max(1, seconds(ctx.canary));
  if (result.samples.baseline > 0) {
    result.baseline = result.samples.baseline / Math.max(1, seconds(ctx.baseline));
    result.delta = result.canary - result.baseline;
    result.ratio = result.canary / result.baseline;
  }
  result.series = ctx.canary.times.map((t, i) => [
    t,
    ctx.canary.requests[i] === undefined ? null : ctx.canary.requests[i]! / (ctx.settings.intervalMs / 1000),
    ctx.baseline.requests[i] === undefined
      ? null
      : ctx.baseline.requests[i]! / (ctx.settings.intervalMs / 1000),
  ]);
  result.verdict = 'pass';
  result.reason = `${result.samples.canary} canary requests (at least ${ctx.settings.minRequests} needed)`;
  return result;
}
