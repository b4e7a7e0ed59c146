import { type FetchRetryOptions, fetchWithRetry, RetryExhaustedError } from '../../../shared/retry.js';

export interface PostOutcome {
  status?: number;
  attempts: number;
  text: string;
  json?: unknown;
  /** Set when no usable response came back (network, timeout, retries exhausted). */
  error?: string;
}

/**
 * POSTs a JSON body with the suite's retry policy and reports the final response or failure
 * without throwing, so one target's failure never stops the others.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: FetchRetryOptions,
): Promise<PostOutcome> {
  let attempts = 0;
  try {
    const response = await fetchWithRetry(
      url,
      { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } },
      {
        ...options,
        fetch: (input, init) => {
          attempts++;
          return (options.fetch ?? globalThis.fetch)(input, init);
        },
      },
    );
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // Some providers answer plain text ("ok"); keep it as text.
    }
    return { status: response.status, attempts, text, json };
  } catch (error) {
    const message =
      error instanceof RetryExhaustedError || error instanceof Error ? error.message : String(error);
    return { attempts, text: '', error: message };
  }
}

/** A short, secret-free description of a provider's error answer. */
export function describeFailure(outcome: PostOutcome, providerError?: string): string {
  if (outcome.error) return outcome.error;
  const detail = providerError ?? outcome.text.slice(0, 200);
  return `HTTP ${outcome.status}${detail ? `: ${detail}` : ''}`;
}
