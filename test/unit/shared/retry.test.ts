import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backoffDelay,
  fetchWithRetry,
  isRetryableStatus,
  PermanentError,
  parseRetryAfter,
  RetryableError,
  RetryExhaustedError,
  retry,
} from '../../../shared/retry.js';
import { HttpRecorder } from '../../support/http-recorder.js';

const noSleep = { sleep: async () => {}, random: () => 0.5 };

describe('retry policy', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('retries only 408, 429 and 5xx', () => {
    expect([400, 401, 403, 404, 409, 422].some(isRetryableStatus)).toBe(false);
    expect([408, 429, 500, 502, 503].every(isRetryableStatus)).toBe(true);
  });

  it('backs off exponentially with jitter and a cap', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 10_000, () => 1)).toBe(10_000);
  });

  it('stops at the attempt budget and at the deadline', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new RetryableError('HTTP 503');
        },
        { attempts: 3, ...noSleep },
      ),
    ).rejects.toThrow(/HTTP 503 after 3 attempts/);
    expect(calls).toBe(3);

    let clock = 0;
    const error = await retry(
      async () => {
        throw new RetryableError('HTTP 429', 60_000);
      },
      {
        attempts: 10,
        deadlineMs: 30_000,
        maxDelayMs: 120_000,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect((error as Error).message).toMatch(/deadline would pass/);
  });

  it('does not retry errors it was not told are retryable', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new TypeError('bug');
      }, noSleep),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });
});

describe('fetchWithRetry against a local server', () => {
  const server = new HttpRecorder();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('honours Retry-After on 429, retries 500, then returns the success', async () => {
    server.fault(/\/a$/, { status: 429, headers: { 'retry-after': '1' }, body: {} });
    server.fault(/\/a$/, { status: 500, body: {} });
    const waits: number[] = [];
    const response = await fetchWithRetry(
      `${server.url}/a`,
      { method: 'POST', body: '{"x":1}' },
      {
        sleep: async (ms) => void waits.push(ms),
        random: () => 1,
        baseDelayMs: 200,
      },
    );
    expect(response.status).toBe(200);
    expect(waits).toEqual([1000, 400]);
    const bodies = server.requests.filter((r) => r.path === '/a').map((r) => r.body);
    expect(bodies).toEqual(['{"x":1}', '{"x":1}', '{"x":1}']);
  });

  it('returns a 4xx at once without retrying', async () => {
    server.fault(/\/b$/, { status: 404, body: { message: 'gone' } });
    const response = await fetchWithRetry(`${server.url}/b`, {}, noSleep);
    expect(response.status).toBe(404);
    expect(server.requests.filter((r) => r.path === '/b')).toHaveLength(1);
  });

  it('times out a hung server and a dropped connection, then gives up', async () => {
    server.fault(/\/c$/, { status: 200, delayMs: 'hang' }, { times: 2 });
    await expect(
      fetchWithRetry(`${server.url}/c`, {}, { ...noSleep, attempts: 2, timeoutMs: 200 }),
    ).rejects.toThrow(/timed out after 200 ms after 2 attempts/);
    server.fault(/\/d$/, { status: 200, drop: true });
    const recovered = await fetchWithRetry(`${server.url}/d`, {}, noSleep);
    expect(recovered.status).toBe(200);
  });

  it('stops when cancelled', async () => {
    server.fault(/\/e$/, { status: 503, body: {} }, { times: 10 });
    const controller = new AbortController();
    const pending = fetchWithRetry(`${server.url}/e`, {}, { signal: controller.signal, baseDelayMs: 5000 });
    setTimeout(() => controller.abort(new Error('job cancelled')), 100);
    await expect(pending).rejects.toThrow(/job cancelled/);
  });

  it('lets the transport end the retries with a PermanentError, rethrowing its cause', async () => {
    let calls = 0;
    const cause = new Error('unable to verify the first certificate');
    const transport: typeof fetch = async () => {
      calls++;
      throw new PermanentError('certificate', { cause });
    };
    await expect(fetchWithRetry('https://127.0.0.1:9/', {}, { ...noSleep, fetch: transport })).rejects.toBe(
      cause,
    );
    expect(calls).toBe(1);
  });
});
