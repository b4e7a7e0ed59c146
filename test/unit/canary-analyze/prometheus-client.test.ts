import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PrometheusClient, PrometheusError } from '../../../actions/canary-analyze/prometheus.js';

const URL_ = 'http://prometheus.test:9090';
const START = new Date('2026-01-01T00:00:00Z');
const END = new Date('2026-01-01T00:10:00Z');

/** A fetch that never answers: it ends only when its signal aborts, with the signal's reason. */
function silent(calls: { reason?: unknown }[]): typeof fetch {
  return (_input, init) =>
    new Promise<Response>((_, reject) => {
      const call: { reason?: unknown } = {};
      calls.push(call);
      init?.signal?.addEventListener('abort', () => {
        call.reason = init.signal?.reason;
        reject(init.signal?.reason);
      });
    });
}

async function failure(promise: Promise<unknown>): Promise<PrometheusError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PrometheusError);
  return error as PrometheusError;
}

describe('the Prometheus client’s query budget', () => {
  it('abandons an attempt when prometheus-timeout is spent, even if the attempt’s own timeout is later', async () => {
    const calls: { reason?: unknown }[] = [];
    // The per-attempt timeout alone would hold the query for a minute (past the test's timeout).
    const client = new PrometheusClient(
      { url: URL_, timeoutMs: 300 },
      { fetch: silent(calls), timeoutMs: 60_000 },
    );
    const error = await failure(client.range('up', START, END, 60_000));
    expect(error.unavailable).toBe(true);
    expect(error.message).toContain(
      `Prometheus at ${URL_} did not answer within prometheus-timeout (300 ms per query)`,
    );
    expect(calls).toHaveLength(1);
    expect((calls[0]!.reason as Error).name).toBe('TimeoutError');
    // Later queries fail at once with the same reason instead of spending the budget again.
    const again = await failure(client.instant('up', END));
    expect(again.message).toBe(error.message);
    expect(calls).toHaveLength(1);
  });

  it('cuts a retry short at the budget', async () => {
    const calls: { reason?: unknown }[] = [];
    const hang = silent(calls);
    let attempts = 0;
    const fetch: typeof globalThis.fetch = (input, init) =>
      ++attempts === 1 ? Promise.resolve(new Response('busy', { status: 503 })) : hang(input, init);
    const client = new PrometheusClient(
      { url: URL_, timeoutMs: 400 },
      { fetch, timeoutMs: 60_000, baseDelayMs: 1, maxDelayMs: 1 },
    );
    const error = await failure(client.range('up', START, END, 60_000));
    expect(attempts).toBe(2);
    expect(client.retries).toBe(1);
    expect(error.message).toContain('did not answer within prometheus-timeout (400 ms per query)');
  });

  it('abandons an answer whose body is still arriving when the budget is spent', async () => {
    // Headers at once, then half a JSON document and nothing more.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"success","data":');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const client = new PrometheusClient({ url, timeoutMs: 500 });
      const error = await failure(client.range('up', START, END, 60_000));
      expect(error.message).toBe(
        `Prometheus at ${url} did not finish its answer within prometheus-timeout (500 ms per query)`,
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('does not retry a certificate that failed verification', async () => {
    let attempts = 0;
    const fetch: typeof globalThis.fetch = async () => {
      attempts++;
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      });
    };
    const client = new PrometheusClient({ url: 'https://prometheus.test', timeoutMs: 30_000 }, { fetch });
    const error = await failure(client.range('up', START, END, 60_000));
    expect(attempts).toBe(1);
    expect(client.retries).toBe(0);
    expect(error.message).toBe(
      'the TLS certificate of Prometheus at https://prometheus.test could not be verified: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT); give the CA that signed it in prometheus-ca-file',
    );
  });
});
