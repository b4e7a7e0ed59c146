/**
 * Deterministic OpenMetrics series for backfilled canary scenarios: request counters with a
 * status label and a latency histogram per workload, sampled every 15 s (or `stepS`). Counts follow the
 * expected values exactly (cumulative, floored), with seeded traffic noise per sample, so the
 * same scenario always yields the same TSDB.
 */

export interface WorkloadSpec {
  app: string;
  /** Requests per second. */
  rps: number;
  errorRate: number;
  /** Lognormal latency: median in ms and log-space sigma. */
  medianMs: number;
  sigma?: number;
  /** Seconds after the series start at which the counters restart from zero (a pod restart). */
  resetAt?: number;
  /** [from, to) seconds after the start with no samples at all (a scrape gap). */
  gap?: [number, number];
}

export const NAMESPACE = 'records';
export const BUCKETS_S = [0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 1, 2.5, 5];
const STEP_S = 15;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26, ample for bucket shares.
  const sign = Math.sign(x);
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return sign * y;
}

function lognormalCdf(ms: number, medianMs: number, sigma: number): number {
  return 0.5 * (1 + erf(Math.log(ms / medianMs) / (sigma * Math.SQRT2)));
}

interface Point {
  t: number;
  ok: number;
  errors: number;
  buckets: number[];
  count: number;
  sum: number;
}

function points(spec: WorkloadSpec, startS: number, durationS: number, seed: number, stepS: number): Point[] {
  const random = mulberry32(seed);
  const sigma = spec.sigma ?? 0.5;
  const shares = BUCKETS_S.map((le) => lognormalCdf(le * 1000, spec.medianMs, sigma));
  const meanS = (spec.medianMs / 1000) * Math.exp((sigma * sigma) / 2);
  let requests = 0;
  let offset = { ok: 0, errors: 0, buckets: shares.map(() => 0), count: 0, sum: 0 };
  const out: Point[] = [];
  for (let s = 0; s <= durationS; s += stepS) {
    if (s > 0) requests += spec.rps * stepS * (0.8 + 0.4 * random());
    const total = Math.floor(requests);
    const errors = Math.floor(requests * spec.errorRate);
    const raw = {
      ok: total - errors,
      errors,
      buckets: shares.map((share) => Math.floor(requests * share)),
      count: total,
      sum: requests * meanS,
    };
    if (spec.resetAt !== undefined && s === spec.resetAt) offset = raw;
    if (spec.gap && s >= spec.gap[0] && s < spec.gap[1]) continue;
    out.push({
      t: startS + s,
      ok: raw.ok - offset.ok,
      errors: raw.errors - offset.errors,
      buckets: raw.buckets.map((b, i) => b - offset.buckets[i]!),
      count: raw.count - offset.count,
      sum: raw.sum - offset.sum,
    });
  }
  return out;
}

/**
 * The OpenMetrics text for `workloads` over `durationS` seconds from `startS` (unix seconds),
 * one sample every `stepS` seconds.
 */
export function openMetrics(
  workloads: readonly WorkloadSpec[],
  startS: number,
  durationS: number,
  stepS = STEP_S,
): string {
  const series = workloads.map((spec, i) => ({
    spec,
    points: new Map(points(spec, startS, durationS, 1000 + i, stepS).map((p) => [p.t, p])),
  }));
  const lines: string[] = ['# TYPE http_requests counter'];
  const labels = (app: string) => `namespace="${NAMESPACE}",app="${app}"`;
  for (let s = 0; s <= durationS; s += stepS) {
    for (const { spec, points } of series) {
      const p = points.get(startS + s);
      if (!p) continue;
      lines.push(`http_requests_total{${labels(spec.app)},status="200"} ${p.ok} ${p.t}`);
      if (spec.errorRate > 0)
        lines.push(`http_requests_total{${labels(spec.app)},status="500"} ${p.errors} ${p.t}`);
    }
  }
  lines.push('# TYPE http_request_duration_seconds histogram');
  for (let s = 0; s <= durationS; s += stepS) {
    for (const { spec, points } of series) {
      const p = points.get(startS + s);
      if (!p) continue;
      BUCKETS_S.forEach((le, i) => {
        lines.push(
          `http_request_duration_seconds_bucket{${labels(spec.app)},le="${le}"} ${p.buckets[i]} ${p.t}`,
        );
      });
      lines.push(`http_request_duration_seconds_bucket{${labels(spec.app)},le="+Inf"} ${p.count} ${p.t}`);
      lines.push(`http_request_duration_seconds_count{${labels(spec.app)}} ${p.count} ${p.t}`);
      lines.push(`http_request_duration_seconds_sum{${labels(spec.app)}} ${p.sum.toFixed(3)} ${p.t}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
