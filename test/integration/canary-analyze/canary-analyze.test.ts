import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditFile } from '../../../shared/audit/index.js';
import { freePort } from '../../support/free-port.js';
import { type ActionRun, findLeaks, runAction } from '../../support/harness.js';
import { HttpRecorder, type RecordedRequest } from '../../support/http-recorder.js';
import { PrometheusServer } from '../../support/prometheus.js';
import { analyseWith, auditTypes, metric, type Report, workspace } from './fixture.js';
import { openMetrics, type WorkloadSpec } from './openmetrics.js';

const STABLE: WorkloadSpec = { app: 'records-api', rps: 400, errorRate: 0.005, medianMs: 80 };
const CANARY = { rps: 20, errorRate: 0.005, medianMs: 80 };
const WORKLOADS: WorkloadSpec[] = [
  STABLE,
  { app: 'good-canary', ...CANARY },
  { app: 'errx2-canary', ...CANARY, errorRate: 0.01 },
  { app: 'errx5-canary', ...CANARY, errorRate: 0.025 },
  { app: 'slow-canary', ...CANARY, medianMs: 104 },
  { app: 'reset-canary', ...CANARY, resetAt: 1200, gap: [600, 780] },
  { app: 'idle-canary', ...CANARY, rps: 0 },
  { app: 'trickle-canary', ...CANARY, rps: 0.02 },
];

// Three hours back, on a whole minute: old enough to be in blocks, young enough for retention.
const SERIES_START = Math.floor(Date.now() / 60_000) * 60 - 3 * 3600;
const WINDOW_START = SERIES_START + 300;
const WINDOW_END = WINDOW_START + 1800;

const prometheus = new PrometheusServer();
const proxy = new HttpRecorder();
const TOKEN = 'prom-token-5f1c2a9e7b';

/** Passes a request on to the real Prometheus. */
async function forward(request: RecordedRequest) {
  const response = await fetch(`${prometheus.url}${request.path}`, {
    method: request.method,
    headers: {
      'content-type': String(request.headers['content-type'] ?? 'application/x-www-form-urlencoded'),
    },
    body: request.method === 'POST' ? request.body : undefined,
  });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  await prometheus.start(openMetrics(WORKLOADS, SERIES_START, 2400));
  // A pass-through proxy in front of the real Prometheus, where faults are injected.
  proxy.setHandler(forward);
  await proxy.start();
}, 60_000);
afterAll(async () => {
  await proxy.stop();
  await prometheus.stop();
});
beforeEach(() => proxy.reset());
afterEach(() => proxy.setHandler(forward));

async function analyse(
  canary: string,
  extra: Record<string, string> = {},
  url = proxy.url,
): Promise<{ run: ActionRun; report: Report }> {
  const { run, report } = await analyseWith({
    url,
    canary,
    inputs: {
      'start-time': String(WINDOW_START),
      'end-time': String(WINDOW_END),
      'prometheus-token': TOKEN,
      ...extra,
    },
  });
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  return { run, report: report! };
}

describe('canary-analyze against a real Prometheus', () => {
  it('promotes a good canary, explains every metric, and leaves a verifiable audit trail', async () => {
    const { run, report } = await analyse('good-canary');
    expect(run.outputs.decision).toBe('promote');
    expect(JSON.parse(run.outputs['failed-metrics']!)).toEqual([]);
    expect(JSON.parse(run.outputs['inconclusive-metrics']!)).toEqual([]);
    expect(run.outputs.score).toBe('100');
    const errors = metric(report, 'error-rate');
    expect(errors.verdict).toBe('pass');
    expect(errors.canary).toBeGreaterThan(0.004);
    expect(errors.canary).toBeLessThan(0.006);
    expect(errors.samples.canary).toBeGreaterThan(30_000);
    expect(errors.tests.find((t) => t.name.startsWith('canary vs baseline'))?.state).toBe('accept');
    const p95 = metric(report, 'latency-p95');
    // Lognormal(80 ms, σ 0.5): P95 = 80·e^(1.645·0.5) ≈ 182 ms, interpolated in the 100–200 ms bucket.
    expect(p95.canary).toBeGreaterThan(150);
    expect(p95.canary).toBeLessThan(200);
    // Every request carried the token; the token appears nowhere.
    expect(proxy.requests.length).toBeGreaterThan(0);
    for (const request of proxy.requests) expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(findLeaks(run, TOKEN)).toEqual([]);
    expect(readFileSync(run.outputs['audit-log']!, 'utf8')).not.toContain(TOKEN);

    expect(run.summary).toContain('Canary analysis: ✅ promote');
    expect(run.summary).toMatch(/\| error-rate \(critical\) \| ✅ pass \|/);
    expect(run.summary).toContain('xychart-beta');
    expect(auditTypes(run)).toEqual([
      'dev.cdevents.taskrun.started.0.3.0',
      'dev.deploy-actions.canary-analysis.decided.v1',
      'dev.cdevents.taskrun.finished.0.3.0',
    ]);
    expect((await verifyAuditFile(run.outputs['audit-log']!)).ok).toBe(true);
  });

  it.each([
    ['errx2-canary', '×2'],
    ['errx5-canary', '×5'],
  ])('rolls back an error regression (%s, %s) found by the comparison with the baseline', async (canary) => {
    const { run, report } = await analyse(canary);
    expect(run.outputs.decision).toBe('rollback');
    expect(JSON.parse(run.outputs['failed-metrics']!)).toEqual(['error-rate']);
    const errors = metric(report, 'error-rate');
    // Below the 3 % absolute threshold: only the baseline comparison can catch it.
    expect(errors.canary).toBeLessThan(0.03);
    expect(errors.tests.find((t) => t.name.startsWith('canary vs baseline'))?.state).toBe('reject');
    expect(run.annotations.some((a) => a.level === 'error' && a.message.includes('error-rate failed'))).toBe(
      true,
    );
    const events = readFileSync(run.outputs['audit-log']!, 'utf8');
    expect(events).toContain('dev.cdevents.incident.detected.0.3.0');
  });

  it('rolls back a +30 % latency regression through the slow-request comparison', async () => {
    const { run, report } = await analyse('slow-canary');
    expect(run.outputs.decision).toBe('rollback');
    expect(JSON.parse(run.outputs['failed-metrics']!)).toEqual(['latency-p95']);
    const p95 = metric(report, 'latency-p95');
    expect(p95.canary).toBeLessThan(500);
    expect(p95.canary! / p95.baseline!).toBeGreaterThan(1.1);
    expect(p95.reason).toContain('slower than 200 ms');
  });

  it('judges through counter resets and a scrape gap without a false alarm', async () => {
    const { run, report } = await analyse('reset-canary');
    expect(run.outputs.decision).toBe('promote');
    const series = metric(report, 'error-rate').series!;
    expect(series.some(([, canary]) => canary === null)).toBe(true);
    expect(metric(report, 'request-rate').samples.canary).toBeGreaterThan(25_000);
  });

  it('never promotes a canary without data: missing series, zero traffic and NaN are inconclusive', async () => {
    const ghost = await analyse('ghost-canary');
    expect(ghost.run.outputs.decision).toBe('inconclusive');
    expect(metric(ghost.report, 'error-rate').verdict).toBe('nodata');
    expect(metric(ghost.report, 'error-rate').reason).toContain(
      'no request series for canary "ghost-canary"',
    );

    const idle = await analyse('idle-canary', {
      metrics:
        '- name: success-share\n  query: sum(rate(http_requests_total{app="{{target}}",status="200"}[{{interval}}])) / sum(rate(http_requests_total{app="{{target}}"}[{{interval}}]))\n  threshold: 0.99\n  direction: higher-is-better\n',
    });
    expect(idle.run.outputs.decision).toBe('inconclusive');
    expect(metric(idle.report, 'request-rate').reason).toContain('served no requests');
    expect(metric(idle.report, 'success-share').verdict).toBe('nodata');
    expect(metric(idle.report, 'success-share').reason).toContain('NaN');

    const onNoDataFail = await analyse('ghost-canary', { 'on-no-data': 'fail' });
    expect(onNoDataFail.run.outputs.decision).toBe('rollback');
  });

  it('holds a low-traffic canary at continue mid-step and inconclusive at the end, never promote', async () => {
    const early = await analyse('trickle-canary', { duration: '1h' });
    expect(early.run.outputs.decision).toBe('continue');
    expect(metric(early.report, 'error-rate').reason).toMatch(/canary requests, fewer than the 500 needed/);
    const end = await analyse('trickle-canary');
    expect(end.run.outputs.decision).toBe('inconclusive');
    expect(JSON.parse(end.run.outputs['inconclusive-metrics']!)).toContain('error-rate');
  });

  it('rides out 429 and 500 answers with the shared retry policy', async () => {
    proxy.fault(
      /\/api\/v1\/query_range/,
      { status: 429, headers: { 'retry-after': '0' }, body: { status: 'error' } },
      { times: 2 },
    );
    proxy.fault(/\/api\/v1\/query_range/, { status: 500, body: 'boom' }, { times: 1 });
    const { run, report } = await analyse('good-canary');
    expect(run.outputs.decision).toBe('promote');
    expect(report.prometheus.retries).toBe(3);
  });

  it('is inconclusive, never promote, when Prometheus keeps failing', async () => {
    proxy.fault(/\/api\/v1\//, { status: 500, body: 'down' }, { times: 1000 });
    const { run, report } = await analyse('good-canary', {
      'prometheus-timeout': '1s',
      'fail-on': 'rollback',
    });
    expect(run.outputs.decision).toBe('inconclusive');
    expect(report.reason).toContain('Prometheus could not answer');
    expect(metric(report, 'error-rate').verdict).toBe('error');
    expect(run.annotations.some((a) => a.level === 'warning' && a.message.includes('did not answer'))).toBe(
      true,
    );
  });

  it('is inconclusive, naming the refused connection, when Prometheus is down', async () => {
    // A port nothing listens on: every attempt is refused.
    const down = `http://127.0.0.1:${await freePort()}`;
    const { run, report } = await analyse('good-canary', { 'prometheus-timeout': '2s' }, down);
    expect(run.outputs.decision).toBe('inconclusive');
    expect(report.reason).toContain(`Prometheus at ${down} did not answer`);
    expect(report.reason).toContain('ECONNREFUSED');
    for (const name of ['request-rate', 'error-rate', 'latency-p95', 'latency-p99'])
      expect(metric(report, name).verdict).toBe('error');
  });

  it('is inconclusive when Prometheus answers 503 to every attempt', async () => {
    proxy.fault(
      /\/api\/v1\//,
      { status: 503, headers: { 'retry-after': '0' }, body: 'Service Unavailable' },
      { times: 1000 },
    );
    const { run, report } = await analyse('good-canary');
    expect(run.outputs.decision).toBe('inconclusive');
    expect(report.reason).toContain('HTTP 503 after 5 attempts');
    // The first query used the retry policy's five attempts; the rest failed at once.
    expect(proxy.requests).toHaveLength(5);
    expect(report.prometheus.retries).toBe(4);
  });

  it.each([
    ['answers only after 2.5 s', 2500],
    ['never answers', 'hang'],
  ] as const)(
    'abandons a query when Prometheus %s, past prometheus-timeout: inconclusive, never promote',
    async (_, delay) => {
      if (delay === 'hang') proxy.fault(/\/api\/v1\//, { status: 200, delayMs: 'hang' }, { times: 1000 });
      else
        proxy.setHandler(async (request) => {
          await new Promise((resolve) => setTimeout(resolve, delay));
          return forward(request);
        });
      const { run, report } = await analyse('good-canary', { 'prometheus-timeout': '1s' });
      expect(run.outputs.decision).toBe('inconclusive');
      expect(report.reason).toContain('Prometheus could not answer');
      expect(report.reason).toContain('did not answer within prometheus-timeout (1 s per query)');
      expect(report.reason).toContain('timed out after 1000 ms');
      for (const name of ['request-rate', 'error-rate', 'latency-p95', 'latency-p99'])
        expect(metric(report, name).verdict).toBe('error');
      // One attempt, cut off at the budget (no retry would fit in it); the later queries fail at once.
      expect(proxy.requests).toHaveLength(1);
    },
  );

  it('shows the query and Prometheus’ parse error for bad PromQL', async () => {
    const { run, report } = await analyse('good-canary', {
      metrics:
        '- name: broken\n  query: sum(rate(http_requests_total{app="{{target}}"}[{{interval}}])\n  threshold: 1\n',
    });
    expect(run.outputs.decision).toBe('inconclusive');
    const broken = metric(report, 'broken');
    expect(broken.verdict).toBe('error');
    expect(broken.reason).toContain('bad_data');
    expect(broken.reason).toContain('sum(rate(http_requests_total{app="good-canary"}[30m])');
  });

  it('fails the step for a decision listed in fail-on', async () => {
    const run = await runAction({
      action: 'canary-analyze',
      workspace: workspace(),
      env: { PROM_URL: prometheus.url },
      inputs: {
        environment: 'production',
        canary: 'errx5-canary',
        baseline: STABLE.app,
        'start-time': String(WINDOW_START),
        'end-time': String(WINDOW_END),
        'fail-on': 'rollback',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('rollback');
  });
});
