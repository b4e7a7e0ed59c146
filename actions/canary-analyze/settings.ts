import type { EnvironmentConfig } from '../../shared/config/index.js';
import { UserError } from '../../shared/errors.js';
import { type CustomMetric, checkMetrics } from './custom-metrics.js';
import type { CanaryInputs } from './inputs.js';
import type { PrometheusTarget } from './prometheus.js';
import type { PrometheusTls } from './prometheus-tls.js';
import { LABEL_SETS, type LabelSet, type Provider } from './providers.js';

/** Seed defaults for what the config does not say. */
export const DEFAULTS = {
  provider: 'app' as Provider,
  confidence: 0.99,
  maxRatio: 1.5,
  onNoData: 'inconclusive' as const,
  maxFailures: 1,
  durationMs: 30 * 60_000,
  minDurationMs: 10 * 60_000,
  prometheusTimeoutMs: 30_000,
  /** Wald's acceptance: a canary as bad as maxRatio passes with at most this probability. */
  beta: 0.1,
};

/** The analysis this step runs: inputs over config over defaults, every value checked. */
export interface AnalysisSettings {
  prometheus: PrometheusTarget;
  namespace: string;
  canary: string;
  baseline: string;
  provider: Provider;
  labels: LabelSet;
  customMetrics: CustomMetric[];
  mode: 'once' | 'watch';
  /** `next-step`: at the end, a canary within every threshold may move on without full evidence. */
  gate: 'promote' | 'next-step';
  durationMs: number;
  intervalMs: number;
  minDurationMs: number;
  startTime?: Date;
  endTime?: Date;
  minRequests: number;
  onNoData: 'inconclusive' | 'fail';
  thresholds: { errorRate: number; p95Ms: number; p99Ms: number };
  /** Rollback triggers: a canary above these fails critically. */
  triggers: { errorRate: number; p95Ms: number };
  confidence: number;
  beta: number;
  maxRatio: number;
  maxFailures: number;
}

export function resolveSettings(
  inputs: CanaryInputs,
  config: EnvironmentConfig,
  configFile?: string,
  tls?: PrometheusTls,
): AnalysisSettings {
  const where = configFile ?? 'the environment config';
  const analysis = config.canary.analysis;
  const prometheusConfig = config.monitoring.prometheus;
  const url = inputs.prometheusUrl ?? prometheusConfig?.url;
  if (!url) {
    throw new UserError(
      `no Prometheus to query: give input "prometheus-url" or set monitoring.prometheus.url in ${where}`,
    );
  }
  if (!/^https?:\/\/\S+$/.test(url)) throw new UserError(`Prometheus URL: expected an http(s) URL`);
  if (tls && !url.startsWith('https:')) {
    // The user expects an authenticated, private connection; plain HTTP would send the token in clear.
    throw new UserError(
      `the prometheus-ca-file, prometheus-client-cert/-key and prometheus-insecure-skip-verify inputs need an https:// Prometheus URL, and it is ${url}`,
    );
  }
  const namespace = inputs.namespace ?? config.kubernetes?.namespace;
  if (!namespace) {
    throw new UserError(
      `no namespace to select on: give input "namespace" or set kubernetes.namespace in ${where}`,
    );
  }
  const provider = inputs.provider ?? analysis.provider ?? DEFAULTS.provider;
  const labels: LabelSet = { ...LABEL_SETS[provider] };
  for (const [key, value] of Object.entries(analysis.labels ?? {})) {
    if (value !== undefined) (labels as unknown as Record<string, string>)[key] = value;
  }
  const intervalMs = inputs.intervalMs ?? analysis.interval;
  if (intervalMs < 1000)
    throw new UserError(
      'input "interval": expected at least 1s (Prometheus steps are whole seconds or more)',
    );
  const durationMs = inputs.durationMs ?? DEFAULTS.durationMs;
  if (durationMs < intervalMs) throw new UserError('input "duration": expected at least one interval');
  const basicAuth =
    inputs.prometheusUsername && inputs.prometheusPassword
      ? { username: inputs.prometheusUsername, password: inputs.prometheusPassword }
      : prometheusConfig?.basicAuth;
  const customMetrics = checkMetrics(
    [...(analysis.metrics ?? []), ...inputs.metrics].filter(
      // An input metric replaces the config's metric of the same name.
      (metric, index, all) => all.findLastIndex((m) => m.name === metric.name) === index,
    ) as CustomMetric[],
    'metrics',
  );
  const maxRatio = inputs.maxRatio ?? analysis.maxRatio ?? DEFAULTS.maxRatio;
  if (!(maxRatio > 1))
    throw new UserError(
      'max-ratio: expected a ratio above 1, such as 1.5 (a canary 50% worse than the baseline)',
    );
  return {
    prometheus: {
      url,
      ...(inputs.prometheusToken || prometheusConfig?.bearerToken
        ? { bearerToken: inputs.prometheusToken ?? prometheusConfig?.bearerToken }
        : {}),
      ...(basicAuth ? { basicAuth } : {}),
      headers: { ...prometheusConfig?.headers, ...inputs.prometheusHeaders },
      timeoutMs: inputs.prometheusTimeoutMs ?? prometheusConfig?.timeout ?? DEFAULTS.prometheusTimeoutMs,
      ...(tls ? { tls } : {}),
    },
    namespace,
    ...workloads(inputs, config, where),
    provider,
    labels,
    customMetrics,
    mode: inputs.mode,
    gate: inputs.gate,
    durationMs,
    intervalMs,
    minDurationMs: Math.min(
      durationMs,
      inputs.minDurationMs ?? analysis.minDuration ?? DEFAULTS.minDurationMs,
    ),
    ...(inputs.startTime ? { startTime: inputs.startTime } : {}),
    ...(inputs.endTime ? { endTime: inputs.endTime } : {}),
    minRequests: inputs.minRequests ?? analysis.minSamples,
    onNoData: inputs.onNoData ?? analysis.onNoData ?? DEFAULTS.onNoData,
    thresholds: {
      errorRate: inputs.errorRateMax ?? analysis.thresholds.errorRate,
      p95Ms: inputs.latencyP95MaxMs ?? analysis.thresholds.p95,
      p99Ms: inputs.latencyP99MaxMs ?? analysis.thresholds.p99,
    },
    triggers: { errorRate: config.rollback.triggers.errorRate, p95Ms: config.rollback.triggers.p95 },
    confidence: inputs.confidence ?? analysis.confidence ?? DEFAULTS.confidence,
    beta: DEFAULTS.beta,
    maxRatio,
    maxFailures: inputs.maxFailures ?? analysis.maxFailures ?? DEFAULTS.maxFailures,
  };
}

/** The workloads to compare: inputs, else the config's deployment and its `-canary` twin. */
function workloads(
  inputs: Pick<CanaryInputs, 'canary' | 'baseline'>,
  config: EnvironmentConfig,
  where: string,
): { canary: string; baseline: string } {
  const baseline = inputs.baseline ?? config.kubernetes?.deployment;
  if (!baseline) {
    throw new UserError(
      `no baseline workload: give input "baseline" or set kubernetes.deployment in ${where}`,
    );
  }
  const canary = inputs.canary ?? `${baseline}-canary`;
  if (canary === baseline) throw new UserError(`the canary and the baseline are both "${baseline}"`);
  return { canary, baseline };
}
