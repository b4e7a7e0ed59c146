import { errorMessage } from '../../shared/errors.js';
import {
  type FetchRetryOptions,
  fetchWithRetry,
  PermanentError,
  RetryExhaustedError,
} from '../../shared/retry.js';
import { httpsFetch } from './https-fetch.js';
import {
  type CertificateProblem,
  certificateProblem,
  describeCertificateProblem,
  type PrometheusTls,
} from './prometheus-tls.js';

/** How to reach a Prometheus HTTP API. */
export interface PrometheusTarget {
  url: string;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  headers?: Record<string, string>;
  /** Budget for one query, retries included. */
  timeoutMs: number;
  /** CA bundle, client certificate, verification; only for an https URL. */
  tls?: PrometheusTls;
}

/**
 * How requests reach `target`: Node's fetch, or node:https when TLS options are set. Made once
 * per analysis so the looks of a watch share the connections.
 */
export function prometheusTransport(target: PrometheusTarget): typeof fetch {
  return target.tls && target.url.startsWith('https:') ? httpsFetch(target.tls) : globalThis.fetch;
}

/** One series of a range query: its labels and (unix seconds, value) points. */
export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

export interface InstantSample {
  metric: Record<string, string>;
  value: number;
}

/** A query that failed: carries the query and what Prometheus (or the network) said. */
export class PrometheusError extends Error {
  override readonly name = 'PrometheusError';
  constructor(
    message: string,
    readonly query: string,
    /** True when Prometheus could not be reached or kept failing, false for a rejected query. */
    readonly unavailable: boolean,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

interface ApiResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

/**
 * A small client for /api/v1/query and /api/v1/query_range through the suite's retry policy.
 * Each query gets `timeoutMs` in all: an attempt still running when the budget is spent is
 * abandoned. Once Prometheus has proved unreachable, later queries of the same client fail at
 * once with the same reason instead of waiting out the budget again.
 */
export class PrometheusClient {
  private unavailableReason?: string;
  /** Retries made so far (429, 5xx, timeouts), for the report. */
  retries = 0;
  queries = 0;

  constructor(
    private readonly target: PrometheusTarget,
    private readonly retry: Omit<FetchRetryOptions, 'deadlineMs'> = {},
  ) {}

  async instant(query: string, time: Date): Promise<InstantSample[]> {
    const data = await this.call('query', query, { time: seconds(time) });
    if (data.resultType === 'scalar') {
      const [, value] = data.result as [number, string];
      return [{ metric: {}, value: Number(value) }];
    }
    if (data.resultType !== 'vector')
      throw new PrometheusError(`unexpected ${data.resultType} result`, query, false);
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({
      metric: s.metric,
      value: parseValue(s.value[1]),
    }));
  }

  async range(query: string, start: Date, end: Date, stepMs: number): Promise<RangeSeries[]> {
    const data = await this.call('query_range', query, {
      start: seconds(start),
      end: seconds(end),
      step: String(stepMs / 1000),
    });
    if (data.resultType !== 'matrix')
      throw new PrometheusError(`unexpected ${data.resultType} result`, query, false);
    return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map((s) => ({
      metric: s.metric,
      values: s.values.map(([t, v]) => [t, parseValue(v)] as [number, number]),
    }));
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.target.headers };
    if (this.target.bearerToken) headers.authorization = `Bearer ${this.target.bearerToken}`;
    else if (this.target.basicAuth) {
      const { username, password } = this.target.basicAuth;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    return headers;
  }

  private async call(
    endpoint: 'query' | 'query_range',
    query: string,
    params: Record<string, string>,
  ): Promise<{ resultType: string; result: unknown }> {
    if (this.unavailableReason) throw new PrometheusError(this.unavailableReason, query, true);
    this.queries++;
    const url = new URL(
      `api/v1/${endpoint}`,
      this.target.url.endsWith('/') ? this.target.url : `${this.target.url}/`,
    );
    // POST keeps long PromQL out of URLs and proxy logs; Prometheus accepts both.
    const body = new URLSearchParams({ query, ...params }).toString();
    const budgetMs = this.target.timeoutMs;
    const budget = AbortSignal.timeout(budgetMs);
    const transport = this.retry.fetch ?? globalThis.fetch;
    let certificate: CertificateProblem | undefined;
    // Every attempt ends with the query's budget, not only at its own per-attempt timeout.
    const attempt: typeof fetch = async (input, init = {}) => {
      try {
        return await transport(input, {
          ...init,
          signal: init.signal ? AbortSignal.any([init.signal, budget]) : budget,
        });
      } catch (error) {
        certificate = certificateProblem(error);
        // A certificate that failed verification fails the same way again: no retry.
        if (certificate) throw new PermanentError('TLS certificate problem', { cause: error });
        throw error;
      }
    };
    let response: Response;
    try {
      response = await fetchWithRetry(
        url,
        {
          method: 'POST',
          body,
          headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
        },
        {
          timeoutMs: Math.min(10_000, budgetMs),
          ...this.retry,
          fetch: attempt,
          deadlineMs: budgetMs,
          onRetry: (info) => {
            this.retries++;
            this.retry.onRetry?.(info);
          },
        },
      );
    } catch (error) {
      const reason = certificate
        ? describeCertificateProblem(certificate, this.target.url, this.target.tls)
        : error instanceof RetryExhaustedError
          ? `Prometheus at ${this.target.url} did not answer${timedOut(error) ? ` within prometheus-timeout (${formatMs(budgetMs)} per query)` : ''}: ${error.message}`
          : `Prometheus at ${this.target.url} could not be queried: ${errorMessage(error)}`;
      this.unavailableReason = reason;
      throw new PrometheusError(reason, query, true);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The headers came in time but the body did not (or the connection broke mid-answer).
      const reason = budget.aborted
        ? `Prometheus at ${this.target.url} did not finish its answer within prometheus-timeout (${formatMs(budgetMs)} per query)`
        : `Prometheus at ${this.target.url} broke off its answer: ${errorMessage(error)}`;
      this.unavailableReason = reason;
      throw new PrometheusError(reason, query, true);
    }
    let parsed: ApiResponse | undefined;
    try {
      parsed = JSON.parse(text) as ApiResponse;
    } catch {
      parsed = undefined;
    }
    if (!response.ok || parsed?.status !== 'success' || !parsed.data) {
      const said = parsed?.error
        ? `${parsed.errorType ?? 'error'}: ${parsed.error}`
        : `HTTP ${response.status} ${text.slice(0, 200)}`.trim();
      // 401/403 mean every later query fails the same way.
      const unavailable = response.status === 401 || response.status === 403;
      if (unavailable)
        this.unavailableReason = `Prometheus refused the credentials (HTTP ${response.status})`;
      throw new PrometheusError(
        `Prometheus rejected the query (${said})`,
        query,
        unavailable,
        response.status,
      );
    }
    return parsed.data;
  }
}

/** Whether the last attempt was cut off by a timeout (rather than answered with an error). */
function timedOut(error: RetryExhaustedError): boolean {
  return error.cause instanceof Error && error.cause.message.startsWith('timed out');
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function seconds(date: Date): string {
  return (date.getTime() / 1000).toFixed(3);
}

/** Prometheus encodes sample values as strings, including "NaN", "+Inf" and "-Inf". */
function parseValue(raw: string): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(raw);
}
