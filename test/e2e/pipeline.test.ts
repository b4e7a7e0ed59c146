import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readTimeline, type TimelineEntry } from '../../shared/audit/timeline.js';
import { verifyAuditFile } from '../../shared/audit/verify.js';
import { repoRoot } from '../support/harness.js';
import { PAGERDUTY_ROUTING_KEY } from '../support/notify-receivers.js';
import {
  AUDIT_HMAC_KEY,
  type JobRecord,
  type PipelineResult,
  RELEASER,
  WORKFLOW_JOBS,
} from './pipeline/pipeline.js';
import { release, type Service, startService } from './pipeline/scenario.js';
import { APPROVER, type Stack, startStack } from './pipeline/stack.js';

/**
 * The deploy workflow run locally, job by job, against the simulator, PostgreSQL, Prometheus
 * scraping the simulated service, notification receivers and the GitHub API stand-in.
 */

let stack: Stack;
let service: Service | undefined;
beforeAll(async () => {
  stack = await startStack();
}, 120_000);
afterEach(() => {
  service?.stop();
  service = undefined;
  stack.slack.reset();
  stack.pagerduty.reset();
});
afterAll(async () => {
  await stack?.stop();
});

/** What each job and step did, for a failed expectation. */
function jobLog(result: PipelineResult): string {
  return result.jobs
    .map((j: JobRecord) => {
      const steps = j.steps
        .map(
          (s) =>
            `  ${s.label}: exit ${s.run.exitCode} ${JSON.stringify(s.run.outputs).slice(0, 1500)}\n${s.run.stdout.slice(-2500)}\n${s.run.stderr.slice(-1500)}`,
        )
        .join('\n');
      return `${j.name}: ${j.result}${j.note ? ` (${j.note})` : ''}\n${steps}`;
    })
    .join('\n');
}

function results(result: PipelineResult): string[] {
  return result.jobs.map((j) => `${j.name}: ${j.result}`);
}

async function verifiedTimeline(result: PipelineResult): Promise<TimelineEntry[]> {
  const verified = await verifyAuditFile(result.auditLog, { hmacKey: AUDIT_HMAC_KEY });
  expect(verified.ok, JSON.stringify(verified.problem)).toBe(true);
  expect(verified.hmacChecked).toBe(true);
  const entries = await readTimeline(result.auditLog);
  expect(entries.length).toBe(verified.records);
  return entries;
}

/** The index of the first entry after `from` matching `test`; fails when there is none. */
function findAfter(
  entries: TimelineEntry[],
  from: number,
  test: (e: TimelineEntry) => boolean,
  what: string,
): number {
  const index = entries.findIndex((e, i) => i > from && test(e));
  expect(
    index,
    `${what} after entry ${from} in:\n${entries.map((e) => `${e.event} ${e.subject} ${e.detail}`).join('\n')}`,
  ).toBeGreaterThan(from);
  return index;
}

function stableImage(namespace: string): string | undefined {
  return stack.sim.get('deployment', namespace, 'patient-api')?.spec?.template?.spec?.containers?.[0]?.image;
}

describe('the deploy workflow, end to end', () => {
  it('runs the jobs deploy.yml declares, in its order', () => {
    const workflow = parseYaml(readFileSync(join(repoRoot, '.github/workflows/deploy.yml'), 'utf8')) as {
      jobs: Record<string, unknown>;
    };
    expect(Object.keys(workflow.jobs)).toEqual([...WORKFLOW_JOBS]);
  });

  it('takes a good release from 5 % to 100 % and promotes it', async () => {
    service = await startService(stack, 'good');
    const good = release('1.1.0');
    const result = await service.release(good);
    expect(result.outcome, jobLog(result)).toBe('deployed');
    expect(results(result)).toEqual([
      'Migrate database: success',
      'Deploy: success',
      'Canary step 2: success',
      'Canary step 3: success',
      'Canary step 4: success',
      'Canary step 5: success',
      'Promote: success',
      'Roll back: skipped',
      'Notify: success',
    ]);
    expect(stableImage(service.namespace)).toBe(good.image);
    expect(stack.sim.get('deployment', service.namespace, 'patient-api-canary')).toBeUndefined();
    expect(service.trafficShare()).toMatchObject({ stable: 1, canary: 0 });

    const entries = await verifiedTimeline(result);
    let at = findAfter(
      entries,
      -1,
      (e) => e.event === 'taskrun.started' && e.subject === 'migrate-db',
      'migration',
    );
    at = findAfter(
      entries,
      at,
      (e) => e.event === 'approval.checked' && e.detail.includes(APPROVER),
      'approval',
    );
    at = findAfter(entries, at, (e) => e.event === 'traffic.shifted' && e.detail.includes('→ 5%'), '5 %');
    for (const weight of [25, 50, 75, 100]) {
      at = findAfter(
        entries,
        at,
        (e) => e.event === 'canary-analysis.decided' && e.detail.includes('decision '),
        `analysis before ${weight} %`,
      );
      at = findAfter(
        entries,
        at,
        (e) => e.event === 'traffic.shifted' && e.detail.includes(`→ ${weight}%`),
        `${weight} %`,
      );
    }
    at = findAfter(
      entries,
      at,
      (e) => e.event === 'service.upgraded' || e.event === 'service.deployed',
      'promotion',
    );
    findAfter(
      entries,
      at,
      (e) => e.event === 'notification.delivered' && e.subject === 'pagerduty',
      'PagerDuty resolve',
    );
    expect(entries.every((e) => e.actor === RELEASER)).toBe(true);
    expect(entries.every((e) => e.environment === 'production')).toBe(true);
    expect(
      stack.pagerduty.requests.map((r) => (r.json as { event_action?: string }).event_action),
    ).not.toContain('trigger');
  }, 600_000);

  it('rolls a release whose canary fails requests back within the first step, and pages on-call', async () => {
    service = await startService(stack, 'bad');
    const bad = release('1.2.0');
    stack.sim.setImageBehaviour(bad.image, { errorRate: 0.3 });
    const result = await service.release(bad);
    expect(result.outcome, jobLog(result)).toBe('rolled-back');
    expect(results(result)).toEqual([
      'Migrate database: success',
      'Deploy: success',
      'Canary step 2: failure',
      'Canary step 3: skipped',
      'Canary step 4: skipped',
      'Canary step 5: skipped',
      'Promote: skipped',
      'Roll back: success',
      'Notify: success',
    ]);
    const analysis = result.jobs[2]!.steps[0]!.run;
    expect(analysis.outputs.decision).toBe('rollback');
    expect(analysis.outputs['failed-metrics']).toContain('error-rate');
    expect(stableImage(service.namespace)).toBe(service.baseline.jobs[1]!.steps[0]!.run.outputs.image);
    expect(stack.sim.get('deployment', service.namespace, 'patient-api-canary')).toBeUndefined();
    const share = service.trafficShare();
    expect(share).toMatchObject({ stable: 1, canary: 0 });
    expect(share.errors).toBe(0);

    const triggers = stack.pagerduty.requests.filter(
      (r) => (r.json as { event_action?: string }).event_action === 'trigger',
    );
    expect(triggers).toHaveLength(1);
    const trigger = triggers[0]!.json as { routing_key: string; payload: { summary: string } };
    expect(trigger.routing_key).toBe(PAGERDUTY_ROUTING_KEY);
    expect(trigger.payload.summary).toMatch(/1\.2\.0 rolled back in production/);

    const entries = await verifiedTimeline(result);
    let at = findAfter(entries, -1, (e) => e.event === 'traffic.shifted' && e.detail.includes('→ 5%'), '5 %');
    at = findAfter(
      entries,
      at,
      (e) => e.event === 'canary-analysis.decided' && e.detail.includes('decision rollback'),
      'verdict',
    );
    at = findAfter(entries, at, (e) => e.event === 'incident.detected', 'incident');
    at = findAfter(entries, at, (e) => e.event === 'service.rolledback', 'rollback');
    findAfter(
      entries,
      at,
      (e) => e.event === 'notification.delivered' && e.detail.includes('trigger'),
      'page',
    );
    expect(entries.some((e) => e.event === 'traffic.shifted' && e.detail.includes('→ 25%'))).toBe(false);
  }, 600_000);

  it('stops before any traffic moves when a migration fails', async () => {
    service = await startService(stack, 'migration');
    const before = stableImage(service.namespace);
    const broken = release('1.3.0', { brokenMigration: true });
    const result = await service.release(broken);
    expect(result.outcome, jobLog(result)).toBe('failed');
    expect(results(result)).toEqual([
      'Migrate database: failure',
      'Deploy: skipped',
      'Canary analysis: skipped',
      'Promote: skipped',
      'Roll back: skipped',
      'Notify: success',
    ]);
    const migrate = result.jobs[0]!.steps[0]!.run;
    expect(migrate.annotations.find((a) => a.level === 'error')?.message).toMatch(/V4__seed_clinics\.sql/);
    expect(stableImage(service.namespace)).toBe(before);
    expect(stack.sim.get('deployment', service.namespace, 'patient-api-canary')).toBeUndefined();
    // The failed file rolled back whole: its new table is not there, the schema stays at 3.
    const tables = await stack.postgres.query(service.database, "SELECT to_regclass('public.clinics') AS t");
    expect(tables[0]!.t).toBeNull();
    const history = await stack.postgres.query(
      service.database,
      'SELECT max(version::int) AS v FROM deploy_schema_history WHERE success',
    );
    expect(Number(history[0]!.v)).toBe(3);
    const notified = stack.pagerduty.requests.map((r) => (r.json as { event_action?: string }).event_action);
    expect(notified).toContain('trigger');

    const entries = await verifiedTimeline(result);
    const failed = findAfter(
      entries,
      -1,
      (e) => e.action === 'migrate-db' && e.outcome === 'failure',
      'the failed migration',
    );
    findAfter(
      entries,
      failed,
      (e) => e.action === 'notify' && e.event === 'notification.delivered',
      'the page',
    );
    expect(entries.some((e) => e.action === 'deploy-strategy')).toBe(false);
  }, 600_000);

  it('leaves stable serving everything when the run is cancelled mid-canary', async () => {
    service = await startService(stack, 'cancel');
    const before = stableImage(service.namespace);
    const result = await service.release(release('1.4.0'), { cancel: { step: 2, afterMs: 3000 } });
    expect(result.outcome, jobLog(result)).toBe('rolled-back');
    expect(results(result)).toEqual([
      'Migrate database: success',
      'Deploy: success',
      'Canary step 2: cancelled',
      'Canary step 3: skipped',
      'Canary step 4: skipped',
      'Canary step 5: skipped',
      'Promote: skipped',
      'Roll back: success',
      'Notify: success',
    ]);
    expect(stableImage(service.namespace)).toBe(before);
    expect(stack.sim.get('deployment', service.namespace, 'patient-api-canary')).toBeUndefined();
    expect(stack.sim.get('ingress', service.namespace, 'patient-api-canary')).toBeUndefined();
    expect(service.trafficShare()).toMatchObject({ stable: 1, canary: 0 });
    const entries = await verifiedTimeline(result);
    const cancelled = findAfter(
      entries,
      -1,
      (e) => e.action === 'canary-analyze' && e.event === 'taskrun.finished' && e.outcome === 'cancel',
      'the cancelled analysis',
    );
    findAfter(entries, cancelled, (e) => e.event === 'service.rolledback', 'the rollback');
  }, 600_000);
});
