import { fetchWithRetry } from '../../shared/retry.js';

/**
 * One instant PromQL query through the suite's retry policy. Undefined when Prometheus has no
 * data for it: no data is reported, never read as "fine" or "bad".
 */
export async function queryScalar(options: {
  baseUrl: string;
  query: string;
  token?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}): Promise<number | undefined> {
  const url = new URL(`${options.baseUrl.replace(/\/+$/, '')}/api/v1/query`);
  const response = await fetchWithRetry(
    url,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: new URLSearchParams({ query: options.query }).toString(),
    },
    { ...(options.signal ? { signal: options.signal } : {}), deadlineMs: 30_000 },
  );
  const body = (await response.json().catch(() => ({}))) as {
    status?: string;
    error?: string;
    data?: { resultType?: string; result?: unknown };
  };
  if (!response.ok || body.status !== 'success') {
    throw new Error(`Prometheus query failed (HTTP ${response.status}): ${body.error ?? 'no error message'}`);
  }
  const result = body.data?.result;
  let raw: unknown;
  if (body.data?.resultType === 'scalar') raw = (result as [number, string])[1];
  else if (Array.isArray(result) && result.length > 0)
    raw = (result[0] as { value?: [number, string] }).value?.[1];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** Fills the {{namespace}} / {{deployment}} placeholders of a configured query. */
export function renderQuery(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}
