import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ActionRun, runAction } from '../../support/harness.js';
import { NAMESPACE } from './openmetrics.js';

/** What the tests read from the JSON report. */
export interface Report {
  decision: string;
  reason: string;
  looks: number;
  window: { start: string; end: string };
  prometheus: {
    retries: number;
    queries: number;
    tls?: { extraCa: string | null; clientCertificate: string | null; insecureSkipVerify: boolean };
  };
  metrics: {
    name: string;
    verdict: string;
    reason: string;
    canary?: number;
    baseline?: number;
    samples: { canary: number; baseline: number };
    tests: { name: string; state: string }[];
    series?: [number, number | null, number | null][];
  }[];
}

export const BASELINE = 'records-api';

/** A workspace whose production config points at `${PROM_URL}` (set per run). */
export function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'canary-ws-'));
  mkdirSync(join(dir, 'deploy/environments'), { recursive: true });
  writeFileSync(
    join(dir, 'deploy/environments/production.yml'),
    `environment:
  name: production
kubernetes:
  namespace: ${NAMESPACE}
  deployment: ${BASELINE}
monitoring:
  prometheus:
    url: \${PROM_URL}
canary:
  analysis:
    interval: 1m
    minSamples: 500
    thresholds:
      errorRate: "3%"
      p95: 500ms
      p99: 2s
`,
  );
  return dir;
}

/** Runs the dist bundle against the Prometheus at `url`; the report is read when one was written. */
export async function analyseWith(options: {
  url: string;
  canary: string;
  inputs?: Record<string, string>;
  workspace?: string;
}): Promise<{ run: ActionRun; report?: Report }> {
  const run = await runAction({
    action: 'canary-analyze',
    workspace: options.workspace ?? workspace(),
    env: { PROM_URL: options.url },
    inputs: { environment: 'production', canary: options.canary, baseline: BASELINE, ...options.inputs },
  });
  const path = run.outputs.report;
  const report = path ? (JSON.parse(readFileSync(path, 'utf8')) as Report) : undefined;
  return { run, report };
}

export const metric = (report: Report, name: string) => report.metrics.find((m) => m.name === name)!;

export function auditTypes(run: ActionRun): string[] {
  return readFileSync(run.outputs['audit-log']!, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const record = JSON.parse(line);
      return (record.event ?? record).type as string;
    });
}
