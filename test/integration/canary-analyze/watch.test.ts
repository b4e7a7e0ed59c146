import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusServer } from '../../support/prometheus.js';
import { analyseWith, auditTypes, BASELINE, metric } from './fixture.js';
import { openMetrics, type WorkloadSpec } from './openmetrics.js';

/**
 * Watch mode against a real Prometheus. The backfilled series run from a minute before the
 * tests into the next twenty minutes, one sample a second, so every look of a watch (which
 * ends its window at the wall clock) sees the data "so far" grow as a live canary's would: a
 * query never reaches past now, so the samples ahead of the clock are invisible until then.
 */

const NOW = Math.floor(Date.now() / 1000);
const SERIES_START = NOW - 60;
const SERIES_SECONDS = 21 * 60;
const TRAFFIC = { rps: 1000, errorRate: 0.01, medianMs: 80 };
const WORKLOADS: WorkloadSpec[] = [
  { app: BASELINE, ...TRAFFIC },
  { app: 'steady-canary', ...TRAFFIC },
  { app: 'failing-canary', ...TRAFFIC, errorRate: 0.1 },
  { app: 'sparse-canary', ...TRAFFIC, rps: 0.5 },
];

const prometheus = new PrometheusServer();

beforeAll(async () => {
  await prometheus.start(openMetrics(WORKLOADS, SERIES_START, SERIES_SECONDS, 1));
}, 120_000);
afterAll(async () => {
  await prometheus.stop();
});

/** A watch whose step starts at the current whole second, looking every 2 s. */
async function watch(canary: string, inputs: Record<string, string>) {
  const startTime = Math.floor(Date.now() / 1000);
  const { run, report } = await analyseWith({
    url: prometheus.url,
    canary,
    inputs: { mode: 'watch', interval: '2s', 'start-time': String(startTime), ...inputs },
  });
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  const looks = run.stdout.split('\n').filter((line) => /^look \d+: /.test(line));
  const analysedMs = Date.parse(report!.window.end) - Date.parse(report!.window.start);
  expect(Date.parse(report!.window.start)).toBe(startTime * 1000);
  return { run, report: report!, looks, analysedMs };
}

describe('canary-analyze in watch mode against a real Prometheus', () => {
  it('rolls back a clear regression as soon as it shows, long before the duration is over', async () => {
    const { run, report, looks, analysedMs } = await watch('failing-canary', { duration: '10m' });
    expect(run.outputs.decision).toBe('rollback');
    expect(JSON.parse(run.outputs['failed-metrics']!)).toContain('error-rate');
    // Every look before the regression was certain continued; the first certain one stopped the
    // watch, after a small part of the ten minutes' traffic (1,000 req/s).
    for (const line of looks) expect(line).toMatch(/: continue — /);
    expect(report.looks).toBe(looks.length + 1);
    expect(analysedMs).toBeLessThan(10 * 60_000);
    const errors = metric(report, 'error-rate');
    expect(errors.verdict).toBe('fail');
    expect(errors.samples.canary).toBeLessThan(60_000);
    expect(auditTypes(run)).toContain('dev.cdevents.incident.detected.0.3.0');
  });

  it('promotes a good canary only once min-duration has passed, not when the evidence is in', async () => {
    const { run, report, looks, analysedMs } = await watch('steady-canary', {
      duration: '2m',
      'min-duration': '20s',
    });
    expect(run.outputs.decision, report.reason).toBe('promote');
    expect(analysedMs).toBeGreaterThanOrEqual(20_000);
    // Every metric passed on earlier looks, yet those looks held the canary at continue.
    const heldBack = looks.filter((line) => line.includes('every metric passes, but only'));
    expect(heldBack.length).toBeGreaterThan(0);
    expect(looks.some((line) => line.includes(': promote'))).toBe(false);
    // And it stopped there instead of watching out the two minutes.
    expect(analysedMs).toBeLessThan(2 * 60_000);
    for (const m of report.metrics) expect(m.verdict, m.name).toBe('pass');
  });

  it('ends inconclusive when the data stays too sparse for the whole duration, never promote', async () => {
    const { run, report, looks, analysedMs } = await watch('sparse-canary', { duration: '8s' });
    expect(run.outputs.decision).toBe('inconclusive');
    expect(report.reason).toContain('still not enough evidence at the end of the analysis');
    expect(JSON.parse(run.outputs['inconclusive-metrics']!)).toContain('error-rate');
    expect(metric(report, 'error-rate').reason).toMatch(/canary requests, fewer than the 500 needed/);
    // Looked more than once, continuing while the step ran; the last look made it final.
    expect(looks.length).toBeGreaterThan(0);
    for (const line of looks) expect(line).toMatch(/: continue — /);
    expect(report.looks).toBe(looks.length + 1);
    expect(analysedMs + 2_000).toBeGreaterThan(8_000);
  });
});
