/**
 * Sequential tests on counts that stay valid however often they are looked at.
 *
 * Each test keeps, for every effect size θ on a grid, the likelihood ratio of "the canary's
 * rate is θ times the reference" against "it is equal". Under the null hypothesis each ratio
 * is a nonnegative (super)martingale with mean 1, and so is their average (a mixture with a
 * uniform prior over the grid). Ville's inequality then bounds the chance that the mixture
 * EVER reaches 1/α by α: checking after every interval, or after every request, costs nothing.
 * This is Wald's SPRT rejection rule with the fixed alternative replaced by a mixture, so one
 * test is close to optimal for small and large regressions alike.
 */

export interface SequentialOptions {
  /** False-alarm probability over the whole run: reject when the mixture reaches 1/alpha. */
  alpha: number;
  /** Allowed miss probability at the smallest effect: Wald's acceptance boundary β/(1−α). */
  beta: number;
  /** Effect sizes (rate ratios > 1) the mixture is spread over, smallest first. */
  grid: readonly number[];
}

export type SequentialState = 'reject' | 'accept' | 'undecided';

export interface SequentialResult {
  state: SequentialState;
  /** log of the mixture likelihood ratio; reject at log(1/alpha). */
  logMixture: number;
  /** log likelihood ratio at the smallest effect; accept at log(β/(1−α)). */
  logAtMinimum: number;
  rejectAt: number;
  acceptAt: number;
  /** Intervals that carried information (a count could have gone either way). */
  informative: number;
}

/** Effect sizes from `minimum` upwards in steps of ×√2, up to ×8 the minimum. */
export function effectGrid(minimum: number, points = 7): number[] {
  return Array.from({ length: points }, (_, k) => minimum * Math.SQRT2 ** k);
}

function logSumExp(values: readonly number[]): number {
  const max = Math.max(...values);
  if (!Number.isFinite(max)) return max;
  return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

function finish(logs: number[], informative: number, options: SequentialOptions): SequentialResult {
  const logMixture = logSumExp(logs) - Math.log(logs.length);
  const logAtMinimum = logs[0] ?? 0;
  const rejectAt = Math.log(1 / options.alpha);
  const acceptAt = Math.log(options.beta / (1 - options.alpha));
  const state: SequentialState =
    logMixture >= rejectAt ? 'reject' : logAtMinimum <= acceptAt ? 'accept' : 'undecided';
  return { state, logMixture, logAtMinimum, rejectAt, acceptAt, informative };
}

/** One interval of a two-sample comparison: requests and bad events on each side. */
export interface PairedCounts {
  canaryRequests: number;
  canaryEvents: number;
  baselineRequests: number;
  baselineEvents: number;
}

/**
 * Canary vs baseline. Given the total number of bad events in an interval, the canary's share
 * is Binomial(total, q) with q = θ·n_c / (θ·n_c + n_b), whatever the baseline's own rate: the
 * unknown rate cancels, so nothing has to be estimated. (For Bernoulli requests the exact null
 * law is hypergeometric, which is smaller in convex order than the binomial, so the ratio stays
 * a supermartingale and the bound still holds.)
 */
export function comparativeTest(
  intervals: readonly PairedCounts[],
  options: SequentialOptions,
): SequentialResult {
  const logs = options.grid.map(() => 0);
  let informative = 0;
  for (const interval of intervals) {
    const nc = interval.canaryRequests;
    const nb = interval.baselineRequests;
    const x = Math.round(interval.canaryEvents);
    const total = x + Math.round(interval.baselineEvents);
    if (!(nc > 0 && nb > 0 && total > 0)) continue;
    informative++;
    const q0 = nc / (nc + nb);
    for (let k = 0; k < options.grid.length; k++) {
      const theta = options.grid[k]!;
      const q1 = (theta * nc) / (theta * nc + nb);
      logs[k]! += x * Math.log(q1 / q0) + (total - x) * Math.log((1 - q1) / (1 - q0));
    }
  }
  return finish(logs, informative, options);
}

/** One interval of a one-sample test: requests and bad events of the canary alone. */
export interface Counts {
  requests: number;
  events: number;
}

/**
 * Canary vs a fixed limit p0 (an absolute threshold). For any true rate at or below p0 each
 * ratio is a supermartingale, so exceeding 1/α is evidence that the rate is above the limit.
 */
export function thresholdTest(
  intervals: readonly Counts[],
  limit: number,
  options: SequentialOptions,
): SequentialResult {
  const logs = options.grid.map(() => 0);
  let informative = 0;
  if (!(limit > 0 && limit < 1)) return finish(logs, 0, options);
  for (const interval of intervals) {
    const n = Math.round(interval.requests);
    const x = Math.min(n, Math.round(interval.events));
    if (n <= 0) continue;
    informative++;
    for (let k = 0; k < options.grid.length; k++) {
      const p1 = Math.min(options.grid[k]! * limit, 1 - 1e-9);
      logs[k]! += x * Math.log(p1 / limit) + (n - x) * Math.log((1 - p1) / (1 - limit));
    }
  }
  return finish(logs, informative, options);
}
