/**
 * The one retry policy every HTTP client in the suite uses: exponential backoff with full
 * jitter, Retry-After honoured, an overall deadline, and no retry of 4xx other than 408/429
 * (a bad request does not get better by repeating it).
 */

export interface RetryOptions {
  /** Total attempts including the first. */
  attempts?: number;
  /** First backoff step; doubles each attempt. */
  baseDelayMs?: number;
  /** Cap on a single wait, including a server's Retry-After. */
  maxDelayMs?: number;
  /** Give up when the next attempt would start after this many ms from the first. */
  deadlineMs?: number;
  /** Called before each wait; use it to log or to record the fault. */
  onRetry?: (info: RetryInfo) => void;
  signal?: AbortSignal;
  /** Injected in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  reason: string;
}

/** Thrown by `fn` to say "this failure is final"; `retry` rethrows its cause at once. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

/** Thrown by `fn` to say "try again", optionally after a server-chosen delay. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const defaults = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, deadlineMs: 120_000 };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Backoff for attempt n (1-based): full jitter over base·2^(n-1), capped. */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `fn` until it succeeds, throws something that is not retryable, or the attempts or the
 * deadline run out. Errors other than RetryableError are treated as final.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? defaults.attempts;
  const base = options.baseDelayMs ?? defaults.baseDelayMs;
  const max = options.maxDelayMs ?? defaults.maxDelayMs;
  const deadline = options.deadlineMs ?? defaults.deadlineMs;
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const started = now();

  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (error instanceof PermanentError) throw error.cause ?? error;
      if (!(error instanceof RetryableError)) throw error;
      if (attempt >= attempts) throw new RetryExhaustedError(error.message, attempt, error);
      const delayMs = Math.min(max, error.retryAfterMs ?? backoffDelay(attempt, base, max, random));
      if (now() + delayMs - started > deadline) {
        throw new RetryExhaustedError(
          `${error.message} (gave up: the ${deadline} ms deadline would pass)`,
          attempt,
          error,
        );
      }
      options.onRetry?.({ attempt, delayMs, reason: error.message });
      await wait(delayMs, options.signal);
    }
  }
}

export class RetryExhaustedError extends Error {
  override readonly name = 'RetryExhaustedError';
  constructor(
    message: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`${message} after ${attempts} attempt${attempts === 1 ? '' : 's'}`, { cause });
  }
}

/** Parses Retry-After (delta-seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export interface FetchRetryOptions extends RetryOptions {
  /** Per-attempt timeout; a hung server counts as a retryable failure. */
  timeoutMs?: number;
  /** The transport; it may throw PermanentError for a failure that would only repeat. */
  fetch?: typeof globalThis.fetch;
}

/**
 * fetch with the suite's retry policy. Returns the final response, whatever its status, once
 * it is not retryable; throws RetryExhaustedError when retryable failures outlast the budget.
 * `init.body` must be replayable (a string or buffer), since it is sent again on each attempt.
 */
export async function fetchWithRetry(
  url: string | URL,
  init: RequestInit = {},
  options: FetchRetryOptions = {},
): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return retry(async () => {
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (options.signal) signals.push(options.signal);
    let response: Response;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.any(signals) });
    } catch (error) {
      if (error instanceof PermanentError) throw error;
      if (options.signal?.aborted) throw new PermanentError('cancelled', { cause: error });
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `timed out after ${timeoutMs} ms`
          : describeNetworkError(error);
      throw new RetryableError(reason);
    }
    if (isRetryableStatus(response.status)) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      // Drain the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      throw new RetryableError(`HTTP ${response.status}`, retryAfterMs);
    }
    return response;
  }, options);
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ? `${error.message} (${cause.code})` : error.message;
}
