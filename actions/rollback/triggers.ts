import type { EnvironmentConfig } from '../../shared/config/index.js';
import { errorMessage } from '../../shared/errors.js';
import { healthFailureRate } from '../../shared/health-check.js';
import { queryScalar, renderQuery } from './prometheus.js';

export interface TriggerResult {
  name: 'health-check-failure-rate' | 'error-rate' | 'p95-latency';
  /** True when the trigger holds (its threshold is exceeded). */
  held: boolean;
  evaluated: boolean;
  value?: number;
  threshold: number;
  detail: string;
}

/** Default PromQL for the error-rate and P95 triggers. */
export const DEFAULT_QUERIES = {
  errorRate:
    'sum(rate(http_requests_total{namespace="{{namespace}}",status=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="{{namespace}}"}[5m]))',
  p95: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="{{namespace}}"}[5m])))',
};

const pct = (fraction: number) => `${(fraction * 100).toFixed(2).replace(/\.?0+$/, '')}%`;

/**
 * Evaluates the configured rollback triggers: the health-check failure rate over several
 * probes, and the error rate and P95 latency from Prometheus. A trigger without a source (no
 * health URL, no Prometheus) or without data is reported as not evaluated.
 */
export async function evaluateTriggers(options: {
  config: EnvironmentConfig;
  healthUrl?: string;
  prometheusUrl?: string;
  prometheusToken?: string;
  namespace: string;
  deployment: string;
  signal?: AbortSignal;
}): Promise<TriggerResult[]> {
  const { config } = options;
  const triggers = config.rollback.triggers;
  const results: TriggerResult[] = [];
  if (options.healthUrl) {
    const rate = await healthFailureRate({
      baseUrl: options.healthUrl,
      paths: config.health.paths,
      samples: triggers.healthSamples ?? 10,
      intervalMs: triggers.sampleInterval ?? 1000,
      timeoutMs: config.health.timeout,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    results.push({
      name: 'health-check-failure-rate',
      evaluated: true,
      held: rate.rate > triggers.healthCheckFailureRate,
      value: rate.rate,
      threshold: triggers.healthCheckFailureRate,
      detail: `${rate.failed} of ${rate.samples} /health probes failed (${pct(rate.rate)}; limit ${pct(triggers.healthCheckFailureRate)})`,
    });
  } else {
    results.push({
      name: 'health-check-failure-rate',
      evaluated: false,
      held: false,
      threshold: triggers.healthCheckFailureRate,
      detail: 'no health URL',
    });
  }
  const prometheusUrl = options.prometheusUrl ?? config.monitoring.prometheus?.url;
  const token = options.prometheusToken ?? config.monitoring.prometheus?.bearerToken;
  const values = { namespace: options.namespace, deployment: options.deployment };
  const metrics: {
    name: 'error-rate' | 'p95-latency';
    query: string;
    threshold: number;
    render: (v: number) => string;
  }[] = [
    {
      name: 'error-rate',
      query: config.rollback.queries?.errorRate ?? DEFAULT_QUERIES.errorRate,
      threshold: triggers.errorRate,
      render: pct,
    },
    // Prometheus answers in seconds; the threshold is in milliseconds.
    {
      name: 'p95-latency',
      query: config.rollback.queries?.p95 ?? DEFAULT_QUERIES.p95,
      threshold: triggers.p95,
      render: (v) => `${Math.round(v)} ms`,
    },
  ];
  for (const metric of metrics) {
    if (!prometheusUrl) {
      results.push({
        name: metric.name,
        evaluated: false,
        held: false,
        threshold: metric.threshold,
        detail: 'no Prometheus URL',
      });
      continue;
    }
    try {
      const raw = await queryScalar({
        baseUrl: prometheusUrl,
        query: renderQuery(metric.query, values),
        ...(token ? { token } : {}),
        ...(config.monitoring.prometheus?.headers ? { headers: config.monitoring.prometheus.headers } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (raw === undefined) {
        results.push({
          name: metric.name,
          evaluated: false,
          held: false,
          threshold: metric.threshold,
          detail: 'no data from Prometheus',
        });
        continue;
      }
      const value = metric.name === 'p95-latency' ? raw * 1000 : raw;
      results.push({
        name: metric.name,
        evaluated: true,
        held: value > metric.threshold,
        value,
        threshold: metric.threshold,
        detail: `${metric.render(value)} (limit ${metric.render(metric.threshold)})`,
      });
    } catch (error) {
      results.push({
        name: metric.name,
        evaluated: false,
        held: false,
        threshold: metric.threshold,
        detail: errorMessage(error),
      });
    }
  }
  return results;
}
