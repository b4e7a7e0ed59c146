import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditFile } from '../../../shared/audit/index.js';
import { FakeGitHub } from '../../support/fake-github.js';
import { type ActionRun, findLeaks, type RunOptions, runAction } from '../../support/harness.js';
import {
  PAGERDUTY_ROUTING_KEY,
  PagerDutyReceiver,
  SLACK_BOT_TOKEN,
  SlackReceiver,
  TeamsReceiver,
  WEBHOOK_SECRET,
  WebhookReceiver,
} from '../../support/notify-receivers.js';

const slack = new SlackReceiver();
const teams = new TeamsReceiver();
const pagerduty = new PagerDutyReceiver();
const webhook = new WebhookReceiver();
const github = new FakeGitHub();
const receivers = [slack, teams, pagerduty, webhook];

beforeAll(async () => {
  await Promise.all([...receivers.map((r) => r.start()), github.start()]);
});
afterAll(async () => {
  await Promise.all([...receivers.map((r) => r.stop()), github.stop()]);
});
beforeEach(() => {
  for (const r of receivers) r.reset();
  github.requests.length = 0;
});

function workspaceWithConfig(yaml: string, environment = 'production'): string {
  const dir = mkdtempSync(join(tmpdir(), 'notify-ws-'));
  mkdirSync(join(dir, 'deploy/environments'), { recursive: true });
  writeFileSync(join(dir, `deploy/environments/${environment}.yml`), yaml);
  return dir;
}

const CONFIG = `environment:
  name: production
kubernetes:
  namespace: patient-api
  deployment: patient-api
notifications:
  slack:
    webhookUrl: \${SLACK_WEBHOOK_URL}
  teams:
    webhookUrl: \${TEAMS_WEBHOOK_URL}
  pagerduty:
    routingKey: \${PD_ROUTING_KEY}
    apiUrl: \${PD_API_URL}
  webhooks:
    - name: audit-bridge
      url: \${HOOK_URL}
      secret: \${HOOK_SECRET}
`;

function configEnv(): Record<string, string> {
  return {
    SLACK_WEBHOOK_URL: slack.webhookUrl,
    TEAMS_WEBHOOK_URL: teams.webhookUrl,
    PD_ROUTING_KEY: PAGERDUTY_ROUTING_KEY,
    PD_API_URL: pagerduty.url,
    HOOK_URL: webhook.hookUrl,
    HOOK_SECRET: WEBHOOK_SECRET,
  };
}

const SECRETS = () => [
  slack.webhookUrl,
  teams.webhookUrl,
  PAGERDUTY_ROUTING_KEY,
  webhook.hookUrl,
  WEBHOOK_SECRET,
  SLACK_BOT_TOKEN,
];

function notify(options: Partial<RunOptions> & { inputs: RunOptions['inputs'] }): Promise<ActionRun> {
  return runAction({ action: 'notify', githubApiUrl: github.url, githubToken: github.token, ...options });
}

function results(run: ActionRun): {
  target: string;
  ok: boolean;
  attempts: number;
  httpStatus?: number;
  error?: string;
  detail?: Record<string, string>;
}[] {
  return JSON.parse(run.outputs.results ?? '[]');
}

function assertNoLeaks(run: ActionRun): void {
  const audit =
    run.outputs['audit-log'] && existsSync(run.outputs['audit-log'])
      ? readFileSync(run.outputs['audit-log'], 'utf8')
      : '';
  for (const secret of SECRETS()) {
    expect(findLeaks(run, secret), `leak of ${secret.slice(0, 12)}…`).toEqual([]);
    expect(audit.includes(secret), `audit log holds ${secret.slice(0, 12)}…`).toBe(false);
  }
}

describe('notify', () => {
  it('announces a successful deployment to every configured target and GitHub, with a verifiable audit trail', async () => {
    const workspace = workspaceWithConfig(CONFIG);
    const run = await notify({
      workspace,
      env: configEnv(),
      inputs: {
        environment: 'production',
        status: 'success',
        targets: 'slack, teams, pagerduty, webhook, github',
        version: '1.4.2',
        image: 'registry.example/caresync/patient-api',
        digest: `sha256:${'ab'.repeat(32)}`,
        'environment-url': 'https://patients.example.org',
        'started-at': String(Math.floor(Date.now() / 1000) - 125),
      },
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const byTarget = Object.fromEntries(results(run).map((r) => [r.target, r]));
    expect(Object.keys(byTarget).sort()).toEqual([
      'github-deployment',
      'pagerduty',
      'slack (webhook)',
      'teams',
      'webhook:audit-bridge',
    ]);
    expect(results(run).every((r) => r.ok)).toBe(true);

    const slackBody = slack.requests[0]!.json as {
      text: string;
      blocks: { type: string; text?: { text: string } }[];
    };
    expect(slackBody.text).toBe('patient-api 1.4.2 deployed to production');
    expect(JSON.stringify(slackBody.blocks)).toContain('Duration');

    expect(teams.requests).toHaveLength(1);
    const card = (
      teams.requests[0]!.json as {
        attachments: { content: { body: { facts?: { title: string; value: string }[] }[] } }[];
      }
    ).attachments[0]!.content;
    expect(card.body[1]!.facts!.find((f) => f.title === 'Image')!.value).toBe(
      `registry.example/caresync/patient-api@sha256:${'ab'.repeat(32)}`,
    );

    // A success resolves any open incident and records a change event.
    expect(
      pagerduty.requests.map((r) => [r.path, (r.json as { event_action?: string }).event_action]),
    ).toEqual([
      ['/v2/enqueue', 'resolve'],
      ['/v2/change/enqueue', undefined],
    ]);
    expect((pagerduty.requests[0]!.json as { dedup_key: string }).dedup_key).toBe(
      'deploy-actions/caresync/patient-api/production/patient-api',
    );

    const [delivery] = webhook.verified();
    expect(delivery!.standardWebhooksValid).toBe(true);
    expect(delivery!.githubSignatureValid).toBe(true);
    const event = JSON.parse(delivery!.request.body) as { type: string; id: string; auditseq: number };
    expect(event.type).toBe('dev.deploy-actions.deployment.succeeded.v1');
    expect(delivery!.request.headers['webhook-id']).toBe(event.id);

    const created = github.deployments.at(-1)!;
    expect(created).toMatchObject({
      environment: 'production',
      production_environment: true,
      ref: run.stepEnv.GITHUB_SHA,
    });
    expect(run.outputs['deployment-id']).toBe(String(created.id));
    const status = github.statuses.get(created.id)!.at(-1)!;
    expect(status).toMatchObject({
      state: 'success',
      environment_url: 'https://patients.example.org',
      log_url: 'https://github.com/caresync/patient-api/actions/runs/7001/attempts/1',
    });
    const createBody = github.requests.find((r) => r.method === 'POST' && r.path.endsWith('/deployments'))!
      .json as Record<string, unknown>;
    expect(createBody.auto_merge).toBe(false);

    // The audit log tells the story in order and verifies.
    const auditPath = run.outputs['audit-log']!;
    const verified = await verifyAuditFile(auditPath);
    expect(verified.ok).toBe(true);
    const types = readFileSync(auditPath, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; subject?: string });
    expect(types.map((e) => e.type)).toEqual([
      'dev.cdevents.taskrun.started.0.3.0',
      'dev.deploy-actions.deployment.succeeded.v1',
      ...Array(5).fill('dev.deploy-actions.notification.delivered.v1'),
      'dev.cdevents.taskrun.finished.0.3.0',
    ]);
    expect(run.summary).toContain('Notify: patient-api 1.4.2 deployed to production');
    expect(run.summary).toContain('| teams | ✅ sent | 202 | 1 |');
    assertNoLeaks(run);
  });

  it('pages PagerDuty on failure with the reason, then resolves the same incident on the next success', async () => {
    const workspace = workspaceWithConfig(CONFIG);
    const failed = await notify({
      workspace,
      env: configEnv(),
      inputs: {
        environment: 'production',
        status: 'failure',
        targets: 'pagerduty',
        reason: 'canary error rate 4.2% > 0.1%',
        'rollback-status': 'rolled back to 1.4.1',
      },
    });
    expect(failed.exitCode).toBe(0);
    const trigger = pagerduty.requests[0]!.json as {
      event_action: string;
      dedup_key: string;
      payload: { summary: string; severity: string; custom_details: Record<string, string> };
    };
    expect(trigger.event_action).toBe('trigger');
    expect(trigger.payload.severity).toBe('critical');
    expect(trigger.payload.summary).toBe(
      'patient-api deployment failed in production: canary error rate 4.2% > 0.1%',
    );
    expect(trigger.payload.custom_details.Rollback).toBe('rolled back to 1.4.1');
    expect(failed.outputs['pagerduty-dedup-key']).toBe(trigger.dedup_key);

    const recovered = await notify({
      workspace,
      env: configEnv(),
      inputs: { environment: 'production', status: 'success', targets: 'pagerduty' },
    });
    expect(recovered.exitCode).toBe(0);
    const resolve = pagerduty.requests[1]!.json as { event_action: string; dedup_key: string };
    expect(resolve).toMatchObject({ event_action: 'resolve', dedup_key: trigger.dedup_key });
  });

  it('posts with a Slack bot token, returns ts, and replies in the thread', async () => {
    const first = await notify({
      inputs: {
        environment: 'staging',
        status: 'started',
        'slack-token': SLACK_BOT_TOKEN,
        'slack-channel': '#deploys',
        'slack-api-url': slack.apiUrl,
      },
    });
    expect(first.exitCode).toBe(0);
    const ts = first.outputs['slack-ts']!;
    expect(ts).toMatch(/^\d+\.\d+$/);
    const reply = await notify({
      inputs: {
        environment: 'staging',
        status: 'success',
        'slack-token': SLACK_BOT_TOKEN,
        'slack-channel': '#deploys',
        'slack-api-url': slack.apiUrl,
        'thread-ts': ts,
      },
    });
    expect(reply.exitCode).toBe(0);
    expect(slack.requests[1]!.json as { thread_ts: string; channel: string }).toMatchObject({
      thread_ts: ts,
      channel: '#deploys',
    });
    assertNoLeaks(reply);
  });

  it('honours Retry-After on 429, retries 500s, and one failing target does not stop the others', async () => {
    slack.fault(/^\/services\//, { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    teams.fault(/^\/workflows\//, { status: 500, body: { error: 'down' } }, { times: 100 });
    const workspace = workspaceWithConfig(CONFIG);
    const run = await notify({
      workspace,
      env: configEnv(),
      inputs: { environment: 'production', status: 'started', targets: 'slack,teams,webhook', timeout: '3s' },
    });
    expect(run.exitCode).toBe(1);
    const byTarget = Object.fromEntries(results(run).map((r) => [r.target, r]));
    expect(byTarget['slack (webhook)']).toMatchObject({ ok: true, attempts: 2, httpStatus: 200 });
    expect(slack.requests[1]!.receivedAt - slack.requests[0]!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(byTarget.teams!.ok).toBe(false);
    expect(byTarget.teams!.error).toMatch(/HTTP 500/);
    expect(byTarget.teams!.attempts).toBeGreaterThan(1);
    expect(byTarget['webhook:audit-bridge']!.ok).toBe(true);
    expect(run.outputs['failed-targets']).toBe('teams');
    expect(
      run.annotations.some((a) => a.level === 'error' && a.message.includes('teams failed: HTTP 500')),
    ).toBe(true);
    // The failure is in the audit trail too.
    const lines = readFileSync(run.outputs['audit-log']!, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            subject?: string;
            data: { outcome?: string; customData?: { outcome?: string } };
          },
      );
    expect(lines.find((e) => e.type === 'dev.deploy-actions.notification.failed.v1')?.subject).toBe('teams');
    expect(lines.at(-1)!.data.customData?.outcome ?? lines.at(-1)!.data.outcome).toBe('failure');
    assertNoLeaks(run);
  });

  it('only warns when fail-on-error is false, and does not retry a 404', async () => {
    const run = await notify({
      inputs: {
        environment: 'staging',
        status: 'success',
        'teams-webhook-url': `${teams.url}/nope`,
        'fail-on-error': false,
      },
    });
    expect(run.exitCode).toBe(0);
    expect(results(run)[0]).toMatchObject({ ok: false, httpStatus: 404, attempts: 1 });
    expect(run.annotations.some((a) => a.level === 'warning' && a.message.includes('teams failed'))).toBe(
      true,
    );
  });

  it('reports GitHub refusing a deployment (409) with the reason', async () => {
    github.deploymentCreateMode = 'conflict';
    try {
      const run = await notify({ inputs: { environment: 'staging', status: 'started', targets: 'github' } });
      expect(run.exitCode).toBe(1);
      expect(results(run)[0]!.error).toMatch(/409.*merge conflict or a failing required status check/);
    } finally {
      github.deploymentCreateMode = 'created';
    }
  });

  it('posts to an existing deployment without creating one', async () => {
    const run = await notify({ inputs: { environment: 'staging', status: 'started', targets: 'github' } });
    const id = run.outputs['deployment-id']!;
    const next = await notify({ inputs: { environment: 'staging', status: 'success', 'deployment-id': id } });
    expect(next.exitCode).toBe(0);
    expect(
      github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/deployments')),
    ).toHaveLength(1);
    expect(github.statuses.get(Number(id))!.map((s) => s.state)).toEqual(['in_progress', 'success']);
  });

  it('shortens payloads to each provider limit and says so', async () => {
    const reason = `database migration V42 failed: ${'x'.repeat(40_000)}`;
    const run = await notify({
      inputs: {
        environment: 'production',
        status: 'failure',
        reason,
        'teams-webhook-url': teams.webhookUrl,
        'pagerduty-routing-key': PAGERDUTY_ROUTING_KEY,
        'pagerduty-api-url': pagerduty.url,
        'slack-webhook-url': slack.webhookUrl,
      },
    });
    expect(run.outputs['failed-targets']).toBe('');
    expect(run.exitCode).toBe(0);
    const summary = (pagerduty.requests[0]!.json as { payload: { summary: string } }).payload.summary;
    expect(summary.length).toBe(1024);
    expect(summary.endsWith('… (truncated)')).toBe(true);
    expect(Buffer.byteLength(teams.requests[0]!.body)).toBeLessThanOrEqual(28 * 1024);
    expect(teams.requests[0]!.body).toContain("Shortened to fit Teams' 28 KB limit: Reason");
    expect(slack.requests[0]!.body).toContain("Shortened to fit Slack's limits: Reason");
    const byTarget = Object.fromEntries(results(run).map((r) => [r.target, r]));
    expect(byTarget.pagerduty).toMatchObject({ ok: true });
  });

  it('renders payloads in a dry run, masked, and sends nothing', async () => {
    const workspace = workspaceWithConfig(CONFIG);
    const run = await notify({
      workspace,
      env: configEnv(),
      inputs: { environment: 'production', status: 'rolled-back', 'dry-run': true },
    });
    expect(run.exitCode).toBe(0);
    for (const r of receivers) expect(r.requests).toHaveLength(0);
    expect(run.summary).toContain('Notify (dry run)');
    expect(run.summary).toContain('pagerduty payload');
    expect(run.summary).toContain('"routing_key": "***"');
    assertNoLeaks(run);
  });

  it('keeps free-form commit text out unless asked', async () => {
    const event = {
      name: 'push',
      payload: { head_commit: { message: 'Fix lookup for patient 4711 (Jane Roe)' } },
    };
    const off = await notify({
      event,
      inputs: { environment: 'staging', status: 'success', 'slack-webhook-url': slack.webhookUrl },
    });
    expect(slack.requests[0]!.body).not.toContain('Jane Roe');
    expect(readFileSync(off.outputs['audit-log']!, 'utf8')).not.toContain('Jane Roe');
    await notify({
      event,
      inputs: {
        environment: 'staging',
        status: 'success',
        'slack-webhook-url': slack.webhookUrl,
        'include-commit-message': true,
      },
    });
    expect(slack.requests[1]!.body).toContain('Jane Roe');
  });

  it('stops retrying and records the cancellation when the job is cancelled', async () => {
    teams.fault(/^\/workflows\//, { status: 503, body: {} }, { times: 100 });
    const run = await notify({
      inputs: {
        environment: 'staging',
        status: 'started',
        'teams-webhook-url': teams.webhookUrl,
        timeout: '2m',
      },
      cancelAfterMs: 1500,
    });
    expect(run.exitCode).toBe(1);
    expect(run.durationMs).toBeLessThan(9000);
    const last = JSON.parse(readFileSync(run.outputs['audit-log']!, 'utf8').trim().split('\n').at(-1)!) as {
      type: string;
      data: { subject: { content: { outcome: string } } };
    };
    expect(last.type).toBe('dev.cdevents.taskrun.finished.0.3.0');
    expect(last.data.subject.content.outcome).toBe('cancel');
  });
});

describe('notify refuses bad input and changes nothing', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'an Office 365 connector URL',
      { 'teams-webhook-url': 'https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def' },
      /Office 365 connector URL .* retired .* Workflows webhook/,
    ],
    [
      'an unknown status',
      { status: 'done' },
      /input "status": expected one of started, success, failure, cancelled, rolled-back, approval-needed, got "done"/,
    ],
    ['an unknown target', { targets: 'slack,email' }, /input "targets": "email" is not a target/],
    [
      'a requested target without credentials',
      { targets: 'pagerduty' },
      /target "pagerduty" was requested but has no pagerduty-routing-key/,
    ],
    ['a bad digest', { digest: 'sha256:abc' }, /input "digest": expected sha256:<64 hex digits>/],
    ['a missing config file that was named', { config: 'deploy/nowhere.yml' }, /nowhere\.yml/],
  ];
  for (const [label, inputs, message] of cases) {
    it(`rejects ${label}`, async () => {
      const run = await notify({
        inputs: {
          environment: 'staging',
          status: 'success',
          'slack-webhook-url': slack.webhookUrl,
          ...inputs,
        },
      });
      expect(run.exitCode).toBe(1);
      expect(run.annotations.find((a) => a.level === 'error')?.message).toMatch(message);
      expect(slack.requests).toHaveLength(0);
      expect(teams.requests).toHaveLength(0);
      expect(existsSync(join(run.runnerTemp, 'deploy-audit.jsonl'))).toBe(false);
    });
  }

  it('names the config file, line and column of a bad value', async () => {
    const workspace = workspaceWithConfig(
      'environment:\n  name: production\nnotifications:\n  pagerduty:\n    routingKey: abc\n    severty: critical\n',
    );
    const run = await notify({ workspace, inputs: { environment: 'production', status: 'failure' } });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]!.message).toMatch(
      /deploy\/environments\/production\.yml:6:5 notifications\.pagerduty.*severty: unknown key; did you mean `severity`?/,
    );
  });
});
