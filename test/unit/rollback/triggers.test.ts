import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluateTriggers } from '../../../actions/rollback/triggers.js';
import { environmentConfigSchema } from '../../../shared/config/index.js';
import { HttpRecorder } from '../../support/http-recorder.js';

const app = new HttpRecorder();
const prometheus = new HttpRecorder();
let healthy = true;
let values: Record<string, string | undefined> = {};

beforeAll(async () => {
  app.setHandler(() =>
    healthy ? { status: 200, body: { status: 'healthy' } } : { status: 503, body: { status: 'unhealthy' } },
  );
  prometheus.setHandler((request) => {
    const query = new URLSearchParams(request.body).get('query') ?? '';
    const value = query.includes('histogram_quantile') ? values.p95 : values.errorRate;
    return {
      status: 200,
      body: {
        status: 'success',
        data: {
          resultType: 'vector',
          result: value === undefined ? [] : [{ metric: {}, value: [0, value] }],
        },
      },
    };
  });
  await Promise.all([app.start(), prometheus.start()]);
});
afterAll(() => Promise.all([app.stop(), prometheus.stop()]));
beforeEach(() => {
  app.reset();
  prometheus.reset();
  healthy = true;
  values = {};
});

const config = environmentConfigSchema.parse({
  environment: { name: 'production' },
  rollback: { triggers: { healthSamples: 5, sampleInterval: '1ms' } },
  health: { timeout: '2s' },
});

function run() {
  return evaluateTriggers({
    config,
    healthUrl: app.url,
    prometheusUrl: prometheus.url,
    namespace: 'care',
    deployment: 'api',
  });
}

describe('rollback triggers', () => {
  it('hold nothing on a healthy service', async () => {
    values = { errorRate: '0.001', p95: '0.2' };
    const results = await run();
    expect(results.map((r) => [r.name, r.held, r.evaluated])).toEqual([
      ['health-check-failure-rate', false, true],
      ['error-rate', false, true],
      ['p95-latency', false, true],
    ]);
    expect(prometheus.requests[0]!.body).toContain(
      encodeURIComponent('namespace="care"').replace(/%20/g, '+'),
    );
  });
  it('hold on failing health, error rate above 1 % and P95 above 2 s', async () => {
    healthy = false;
    values = { errorRate: '0.05', p95: '3.5' };
    const results = await run();
    expect(results.every((r) => r.held)).toBe(true);
    expect(results[0]!.detail).toContain('5 of 5');
    expect(results[2]!.value).toBe(3500);
  });
  it('treat missing Prometheus data as not evaluated, never as a pass or a hold', async () => {
    const results = await run();
    expect(results.slice(1).map((r) => [r.evaluated, r.held, r.detail])).toEqual([
      [false, false, 'no data from Prometheus'],
      [false, false, 'no data from Prometheus'],
    ]);
  });
  it('retry a Prometheus 503 through the shared policy', async () => {
    values = { errorRate: '0.02', p95: '0.1' };
    prometheus.fault(/query/, { status: 503, headers: { 'retry-after': '0' } });
    const results = await run();
    expect(results[1]).toMatchObject({ held: true, evaluated: true });
    expect(prometheus.requests.length).toBe(3);
  });
});
