import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth, healthFailureRate, probeEndpoint } from '../../../shared/health-check.js';
import { HttpRecorder } from '../../support/http-recorder.js';

const app = new HttpRecorder((request) => {
  const mode = request.path.split('/')[1];
  const endpoint = request.path.split('/')[2];
  if (mode === 'good') {
    if (endpoint === 'health')
      return { status: 200, body: { status: 'healthy', checks: { database: { status: 'connected' } } } };
    if (endpoint === 'ready') return { status: 200, body: { ready: true } };
    return { status: 200, body: { alive: true } };
  }
  if (mode === 'degraded' && endpoint === 'health') return { status: 200, body: { status: 'degraded' } };
  if (mode === 'down' && endpoint === 'health') return { status: 503, body: { status: 'unhealthy' } };
  if (mode === 'down' && endpoint === 'ready') return { status: 503, body: { ready: false } };
  return {
    status: 200,
    body:
      endpoint === 'health'
        ? { status: 'healthy' }
        : endpoint === 'ready'
          ? { ready: true }
          : { alive: true },
  };
});
beforeAll(() => app.start());
afterAll(() => app.stop());

describe('health checks', () => {
  it('passes a healthy app on all three endpoints', async () => {
    const report = await checkHealth({ baseUrl: `${app.url}/good`, intervalMs: 10 });
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => [r.endpoint, r.ok, r.attempts, r.httpStatus])).toEqual([
      ['health', true, 1, 200],
      ['ready', true, 1, 200],
      ['live', true, 1, 200],
    ]);
  });

  it('fails degraded unless allowed, and unhealthy always, after its retries', async () => {
    const degraded = await checkHealth({ baseUrl: `${app.url}/degraded`, intervalMs: 5, retries: 2 });
    expect(degraded.ok).toBe(false);
    expect(degraded.results[0]).toMatchObject({
      endpoint: 'health',
      ok: false,
      status: 'degraded',
      attempts: 3,
    });
    const allowed = await checkHealth({ baseUrl: `${app.url}/degraded`, intervalMs: 5, allowDegraded: true });
    expect(allowed.ok).toBe(true);
    expect(allowed.results[0]!.detail).toBe('degraded (allowed)');
    const down = await checkHealth({ baseUrl: `${app.url}/down`, intervalMs: 5, retries: 1 });
    expect(down.results.map((r) => [r.endpoint, r.ok, r.detail])).toEqual([
      ['health', false, 'HTTP 503, unhealthy'],
      ['ready', false, 'HTTP 503, not ready'],
      ['live', true, undefined],
    ]);
  });

  it('recovers when the app becomes ready within the retries', async () => {
    app.fault(/^\/late\/ready$/, { status: 503, body: { ready: false } }, { times: 2 });
    const report = await checkHealth({ baseUrl: `${app.url}/late`, intervalMs: 5, retries: 3 });
    expect(report.ok).toBe(true);
    expect(report.results[1]).toMatchObject({ endpoint: 'ready', attempts: 3 });
  });

  it('reports an unreachable app and a hung one without throwing', async () => {
    const refused = await probeEndpoint('live', 'http://127.0.0.1:9/live');
    expect(refused.ok).toBe(false);
    app.fault(/^\/hang\/live$/, { status: 200, delayMs: 'hang' });
    const hung = await probeEndpoint('live', `${app.url}/hang/live`, { timeoutMs: 100 });
    expect(hung).toMatchObject({ ok: false });
    expect(hung.detail).toMatch(/timeout|aborted/i);
  });

  it('measures the failure rate over several probes', async () => {
    app.fault(/^\/flaky\/health$/, { status: 500, body: {} }, { times: 3 });
    const result = await healthFailureRate({ baseUrl: `${app.url}/flaky`, samples: 10 });
    expect(result).toEqual({ rate: 0.3, failed: 3, samples: 10 });
  });
});
