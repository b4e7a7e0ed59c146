import { type Histogram, normalizeHistogram } from './histogram.js';
import { type PrometheusClient, PrometheusError } from './prometheus.js';
import { builtinTemplates } from './providers.js';
import type { AnalysisSettings } from './settings.js';
import { promqlDuration, renderQuery } from './template.js';

/** What Prometheus held for one workload, one entry per interval of the window. */
export interface WorkloadSeries {
  workload: string;
  /** End of each interval, unix seconds. */
  times: number[];
  /** Requests per interval; undefined where Prometheus had no value (a gap). */
  requests: (number | undefined)[];
  errors: (number | undefined)[];
  /** Latency histogram per interval (bounds in milliseconds), undefined in a gap. */
  latency: (Histogram | undefined)[];
  /** Whether any request series existed at all (none means a wrong name or no traffic ever). */
  hasRequestSeries: boolean;
  hasLatencySeries: boolean;
  /** Intervals where Prometheus answered NaN. */
  nanIntervals: number;
  queries: string[];
  /** Set when a query failed; the rest of the data is then incomplete. */
  error?: PrometheusError;
}

export interface Window {
  start: Date;
  end: Date;
}

/** Interval end times of a window: start+interval, start+2·interval, … ≤ end. */
export function intervalEnds(window: Window, intervalMs: number): number[] {
  const ends: number[] = [];
  for (let t = window.start.getTime() + intervalMs; t <= window.end.getTime(); t += intervalMs)
    ends.push(t / 1000);
  return ends;
}

/**
 * Runs the builtin range queries for one workload. `increase(…[interval])` evaluated every
 * interval gives the count in each interval (ranges meet end to end, resets handled by
 * Prometheus); the sequential tests need exactly these per-interval counts.
 */
export async function collectWorkload(
  client: PrometheusClient,
  settings: AnalysisSettings,
  workload: string,
  window: Window,
): Promise<WorkloadSeries> {
  const times = intervalEnds(window, settings.intervalMs);
  const series: WorkloadSeries = {
    workload,
    times,
    requests: times.map(() => undefined),
    errors: times.map(() => undefined),
    latency: times.map(() => undefined),
    hasRequestSeries: false,
    hasLatencySeries: false,
    nanIntervals: 0,
    queries: [],
  };
  if (times.length === 0) return series;
  const templates = builtinTemplates(settings.labels);
  const values = {
    namespace: settings.namespace,
    canary: settings.canary,
    stable: settings.baseline,
    target: workload,
    interval: promqlDuration(settings.intervalMs),
  };
  const render = (template: string) => renderQuery(template, values, 'builtin query');
  const first = new Date(times[0]! * 1000);
  const last = new Date(times.at(-1)! * 1000);
  const index = new Map(times.map((t, i) => [Math.round(t * 1000), i]));
  const slot = (t: number) => index.get(Math.round(t * 1000));
  try {
    const requestsQuery = render(templates.requests);
    series.queries.push(requestsQuery);
    for (const s of await client.range(requestsQuery, first, last, settings.intervalMs)) {
      series.hasRequestSeries = true;
      for (const [t, v] of s.values) {
        const i = slot(t);
        if (i === undefined) continue;
        if (Number.isNaN(v)) series.nanIntervals++;
        else series.requests[i] = v;
      }
    }
    const errorsQuery = render(templates.errors);
    series.queries.push(errorsQuery);
    for (const s of await client.range(errorsQuery, first, last, settings.intervalMs)) {
      for (const [t, v] of s.values) {
        const i = slot(t);
        if (i !== undefined && !Number.isNaN(v)) series.errors[i] = v;
      }
    }
    // No error series while requests were counted means no failed request, not a gap.
    series.errors = series.errors.map((v, i) => v ?? (series.requests[i] === undefined ? undefined : 0));

    const bucketsQuery = render(templates.buckets);
    series.queries.push(bucketsQuery);
    const scale = settings.labels.latencyUnit === 's' ? 1000 : 1;
    const perInterval = times.map(() => new Map<number, number>());
    for (const s of await client.range(bucketsQuery, first, last, settings.intervalMs)) {
      const le =
        s.metric.le === undefined
          ? Number.NaN
          : s.metric.le === '+Inf'
            ? Number.POSITIVE_INFINITY
            : Number(s.metric.le);
      if (Number.isNaN(le)) continue;
      series.hasLatencySeries = true;
      for (const [t, v] of s.values) {
        const i = slot(t);
        if (i !== undefined && !Number.isNaN(v)) perInterval[i]!.set(le * scale, v);
      }
    }
    series.latency = perInterval.map((buckets) => (buckets.size ? normalizeHistogram(buckets) : undefined));
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    series.error = error;
  }
  return series;
}
