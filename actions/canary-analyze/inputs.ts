import { parsePercent } from '../../shared/config/index.js';
import { UserError } from '../../shared/errors.js';
import {
  getBoolean,
  getDuration,
  getEnum,
  getInteger,
  getJsonObject,
  getList,
  getNumber,
  getString,
} from '../../shared/inputs.js';
import { registerSecret } from '../../shared/secrets.js';
import { type CustomMetric, parseCustomMetrics } from './custom-metrics.js';
import type { TlsInputs } from './prometheus-tls.js';
import { PROVIDERS, type Provider } from './providers.js';

export const DECISIONS = ['promote', 'continue', 'rollback', 'inconclusive'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Everything the action was given, read and checked once; unset values fall back to the config. */
export interface CanaryInputs {
  environment: string;
  configPath?: string;
  prometheusUrl?: string;
  prometheusToken?: string;
  prometheusUsername?: string;
  prometheusPassword?: string;
  prometheusHeaders?: Record<string, string>;
  prometheusTimeoutMs?: number;
  /** CA bundle, client certificate and key (paths or PEM), verification switch. */
  prometheusTls: TlsInputs;
  namespace?: string;
  /** Empty: `<baseline>-canary`, the name deploy-strategy gives the canary. */
  canary?: string;
  /** Empty: the config's kubernetes.deployment. */
  baseline?: string;
  provider?: Provider;
  metrics: CustomMetric[];
  mode: 'once' | 'watch';
  /** What a pass lets happen: promotion (the default), or only the next canary weight. */
  gate: 'promote' | 'next-step';
  durationMs?: number;
  intervalMs?: number;
  minDurationMs?: number;
  startTime?: Date;
  endTime?: Date;
  minRequests?: number;
  onNoData?: 'inconclusive' | 'fail';
  errorRateMax?: number;
  latencyP95MaxMs?: number;
  latencyP99MaxMs?: number;
  confidence?: number;
  maxRatio?: number;
  maxFailures?: number;
  failOn: Decision[];
  reportPath?: string;
  auditLog?: string;
}

function secretInput(name: string): string | undefined {
  const value = getString(name);
  if (value) registerSecret(value);
  return value;
}

function rateInput(name: string, options: { below?: number } = {}): number | undefined {
  const raw = getString(name);
  if (raw === undefined) return undefined;
  const value = parsePercent(raw);
  if (value === undefined || (options.below !== undefined && !(value < options.below))) {
    throw new UserError(
      `input "${name}": expected a percentage such as "0.1%"${options.below !== undefined ? ` below ${options.below * 100}%` : ''}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function timeInput(name: string): Date | undefined {
  const raw = getString(name);
  if (raw === undefined) return undefined;
  const date = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
  if (Number.isNaN(date.getTime())) {
    throw new UserError(
      `input "${name}": expected an ISO 8601 time or Unix seconds, got ${JSON.stringify(raw)}`,
    );
  }
  return date;
}

function headersInput(name: string): Record<string, string> | undefined {
  const object = getJsonObject(name);
  if (!object) return undefined;
  for (const [key, value] of Object.entries(object)) {
    if (typeof value !== 'string') throw new UserError(`input "${name}": header "${key}" must be a string`);
    registerSecret(value);
  }
  return object as Record<string, string>;
}

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function workloadInput(name: string): string | undefined {
  const value = getString(name);
  if (value !== undefined && !K8S_NAME.test(value)) {
    throw new UserError(
      `input "${name}": expected a workload name such as "records-api-canary", got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function failOnInput(): Decision[] {
  const listed = getList('fail-on');
  for (const item of listed) {
    if (!(DECISIONS as readonly string[]).includes(item)) {
      throw new UserError(
        `input "fail-on": "${item}" is not a decision; expected some of ${DECISIONS.join(', ')}`,
      );
    }
  }
  return listed as Decision[];
}

export function readInputs(): CanaryInputs {
  const canary = workloadInput('canary');
  const baseline = workloadInput('baseline');
  if (canary && canary === baseline)
    throw new UserError('inputs "canary" and "baseline" name the same workload');
  const username = getString('prometheus-username');
  const password = secretInput('prometheus-password');
  if (Boolean(username) !== Boolean(password)) {
    throw new UserError(
      'inputs "prometheus-username" and "prometheus-password" go together: give both or neither',
    );
  }
  const mode = getEnum('mode', ['once', 'watch'] as const) ?? 'once';
  const endTime = timeInput('end-time');
  if (endTime && mode === 'watch')
    throw new UserError('input "end-time" is for mode "once": a watch ends when its duration has passed');
  const confidence = rateInput('confidence', { below: 1 });
  if (confidence !== undefined && confidence < 0.5) {
    throw new UserError(`input "confidence": expected at least 50%, such as "99%"`);
  }
  return {
    environment: getString('environment', { required: true }),
    configPath: getString('config'),
    prometheusUrl: getString('prometheus-url'),
    prometheusToken: secretInput('prometheus-token'),
    prometheusUsername: username,
    prometheusPassword: password,
    prometheusHeaders: headersInput('prometheus-headers'),
    prometheusTimeoutMs: getDuration('prometheus-timeout'),
    prometheusTls: {
      caFile: getString('prometheus-ca-file'),
      clientCert: getString('prometheus-client-cert'),
      // Masked once read (loadPrometheusTls): the key itself is the secret, not its path.
      clientKey: getString('prometheus-client-key'),
      insecureSkipVerify: getBoolean('prometheus-insecure-skip-verify', false),
    },
    namespace: getString('namespace'),
    canary,
    baseline,
    provider: getEnum('provider', PROVIDERS),
    metrics: parseCustomMetrics(getString('metrics')),
    mode,
    gate: getEnum('gate', ['promote', 'next-step'] as const) ?? 'promote',
    durationMs: getDuration('duration'),
    intervalMs: getDuration('interval'),
    minDurationMs: getDuration('min-duration'),
    startTime: timeInput('start-time'),
    endTime,
    minRequests: getInteger('min-requests', { min: 1 }),
    onNoData: getEnum('on-no-data', ['inconclusive', 'fail'] as const),
    errorRateMax: rateInput('error-rate-max', { below: 1 }),
    latencyP95MaxMs: getDuration('latency-p95-max'),
    latencyP99MaxMs: getDuration('latency-p99-max'),
    confidence,
    maxRatio: getNumber('max-ratio', { min: 1 }),
    maxFailures: getInteger('max-failures', { min: 1 }),
    failOn: failOnInput(),
    reportPath: getString('report'),
    auditLog: getString('audit-log'),
  };
}
