import { errorMessage } from './errors.js';
import { RetryableError, retry } from './retry.js';

/**
 * Probes an application's `/health`, `/ready` and `/live` endpoints (the JSON of the
 * deployment guide: `{"status": "healthy|degraded|unhealthy"}`, `{"ready": true}`,
 * `{"alive": true}`), retrying each until it passes or the budget runs out. Used after a
 * rollout, before a traffic switch, and to evaluate the rollback triggers.
 */

export type Endpoint = 'health' | 'ready' | 'live';
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthCheckOptions {
  baseUrl: string;
  paths?: Partial<Record<Endpoint, string>>;
  /** Per request. */
  timeoutMs?: number;
  /** Retries per endpoint after the first probe. */
  retries?: number;
  /** Pause between probes of one endpoint. */
  intervalMs?: number;
  /** `degraded` counts as passing only when allowed: a release with a disconnected database is not healthy. */
  allowDegraded?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  fetch?: typeof globalThis.fetch;
}

export interface EndpointResult {
  endpoint: Endpoint;
  url: string;
  ok: boolean;
  attempts: number;
  httpStatus?: number;
  status?: HealthStatus;
  /** Why it failed, or a note (e.g. degraded allowed). */
  detail?: string;
}

export interface HealthReport {
  ok: boolean;
  results: EndpointResult[];
}

const DEFAULT_PATHS: Record<Endpoint, string> = { health: '/health', ready: '/ready', live: '/live' };

interface Probe {
  ok: boolean;
  httpStatus?: number;
  status?: HealthStatus;
  detail?: string;
}

/** One request to one endpoint, judged by its status code and JSON body. */
export async function probeEndpoint(
  endpoint: Endpoint,
  url: string,
  options: Pick<HealthCheckOptions, 'timeoutMs' | 'allowDegraded' | 'headers' | 'signal' | 'fetch'> = {},
): Promise<Probe> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 5000)];
  if (options.signal) signals.push(options.signal);
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: { accept: 'application/json', ...options.headers },
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    return { ok: false, detail: errorMessage(error) };
  }
  const text = await response.text().catch(() => '');
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Plain-text health endpoints are judged by status code alone.
  }
  const httpStatus = response.status;
  if (endpoint === 'health') {
    const status = ['healthy', 'degraded', 'unhealthy'].includes(String(body.status))
      ? (body.status as HealthStatus)
      : undefined;
    if (status === 'unhealthy' || !response.ok) {
      return {
        ok: false,
        httpStatus,
        ...(status ? { status } : {}),
        detail: `HTTP ${httpStatus}${status ? `, ${status}` : ''}`,
      };
    }
    if (status === 'degraded' && !options.allowDegraded)
      return { ok: false, httpStatus, status, detail: 'degraded' };
    return {
      ok: true,
      httpStatus,
      status: status ?? 'healthy',
      ...(status === 'degraded' ? { detail: 'degraded (allowed)' } : {}),
    };
  }
  const flag = endpoint === 'ready' ? body.ready : body.alive;
  if (!response.ok || flag === false)
    return {
      ok: false,
      httpStatus,
      detail: `HTTP ${httpStatus}${flag === false ? `, ${endpoint === 'ready' ? 'not ready' : 'not alive'}` : ''}`,
    };
  return { ok: true, httpStatus };
}

/** Checks every endpoint, each retried until it passes; reports all of them. */
export async function checkHealth(options: HealthCheckOptions): Promise<HealthReport> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const paths = { ...DEFAULT_PATHS, ...options.paths };
  const results = await Promise.all(
    (['health', 'ready', 'live'] as const).map(async (endpoint): Promise<EndpointResult> => {
      const url = `${base}${paths[endpoint]}`;
      let attempts = 0;
      let last: Probe = { ok: false };
      try {
        last = await retry(
          async () => {
            attempts++;
            last = await probeEndpoint(endpoint, url, options);
            if (!last.ok) throw new RetryableError(last.detail ?? 'failed');
            return last;
          },
          {
            attempts: (options.retries ?? 3) + 1,
            baseDelayMs: options.intervalMs ?? 10_000,
            maxDelayMs: options.intervalMs ?? 10_000,
            deadlineMs: Number.POSITIVE_INFINITY,
            ...(options.signal ? { signal: options.signal } : {}),
          },
        );
      } catch {
        // `last` holds the final failed probe.
      }
      return { endpoint, url, attempts, ...last };
    }),
  );
  return { ok: results.every((r) => r.ok), results };
}

/**
 * Probes `/health` `samples` times and returns the share that failed: the rollback trigger
 * "health-check failure rate > 10 %" is judged on this, not on a single probe.
 */
export async function healthFailureRate(
  options: HealthCheckOptions & { samples: number },
): Promise<{ rate: number; failed: number; samples: number }> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const url = `${base}${options.paths?.health ?? DEFAULT_PATHS.health}`;
  let failed = 0;
  for (let i = 0; i < options.samples; i++) {
    if (i > 0 && options.intervalMs) await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    const probe = await probeEndpoint('health', url, options);
    if (!probe.ok) failed++;
  }
  return { rate: options.samples ? failed / options.samples : 0, failed, samples: options.samples };
}
