import { describe, expect, it } from 'vitest';
import {
  buildMessage,
  type DeploymentMessage,
  formatDuration,
  headline,
} from '../../../actions/notify/message.js';
import { resultsOutput } from '../../../actions/notify/report.js';
import {
  dedupKey,
  PAGERDUTY_SUMMARY_MAX,
  pagerDutyEvent,
  pagerDutyPlan,
} from '../../../actions/notify/targets/pagerduty.js';
import { slackPayload } from '../../../actions/notify/targets/slack.js';
import {
  assertTeamsWorkflowUrl,
  TEAMS_MAX_BYTES,
  teamsPayload,
} from '../../../actions/notify/targets/teams.js';

const base = (overrides: Partial<DeploymentMessage> = {}): DeploymentMessage => ({
  ...buildMessage({
    status: 'failure',
    environment: 'production',
    service: 'patient-api',
    version: '2.0.1',
    context: {
      repository: 'caresync/patient-api',
      sha: 'f'.repeat(40),
      serverUrl: 'https://github.com',
      actor: 'dev',
      runUrl: 'https://github.com/r/1',
    },
    startedAt: new Date('2026-01-01T00:00:00Z'),
    now: new Date('2026-01-01T00:04:05Z'),
  }),
  ...overrides,
});

describe('deployment message', () => {
  it('reads as one line and keeps only allow-listed fields', () => {
    const message = base();
    expect(headline(message)).toBe('patient-api 2.0.1 deployment failed in production');
    expect(headline({ ...message, status: 'success' })).toBe('patient-api 2.0.1 deployed to production');
    expect(message.durationMs).toBe(245_000);
    expect(formatDuration(245_000)).toBe('4m 5s');
    expect(formatDuration(3_900_000)).toBe('1h 5m');
    expect(Object.keys(message).sort()).toEqual(
      [
        'actor',
        'commit',
        'commitUrl',
        'durationMs',
        'environment',
        'repository',
        'runUrl',
        'service',
        'status',
        'time',
        'version',
      ].sort(),
    );
  });
});

describe('Slack payload', () => {
  it('keeps every block within Slack limits and says what was shortened', () => {
    const { payload, truncated } = slackPayload(base({ reason: 'r'.repeat(5000), service: 's'.repeat(200) }));
    const blocks = payload.blocks as {
      type: string;
      text?: { text: string };
      elements?: { text: string }[];
    }[];
    expect(blocks[0]!.text!.text.length).toBeLessThanOrEqual(150);
    expect(blocks.find((b) => b.text?.text.startsWith('*Reason*'))!.text!.text.length).toBe(3000);
    expect(truncated).toEqual(['header', 'Reason']);
    expect(blocks.at(-1)!.elements![0]!.text).toBe("_Shortened to fit Slack's limits: header, Reason._");
  });

  it('escapes mrkdwn control characters in values', () => {
    const { payload } = slackPayload(base({ reason: '<!channel> & co' }));
    expect(JSON.stringify(payload)).toContain('&lt;!channel&gt; &amp; co');
  });
});

describe('Teams payload', () => {
  it('shrinks long facts until the card fits 28 KB', () => {
    const { payload, truncated } = teamsPayload(base({ reason: 'x'.repeat(60_000) }));
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(truncated).toEqual(['Reason']);
  });

  it('refuses retired Office 365 connector URLs and accepts Workflows URLs', () => {
    expect(() =>
      assertTeamsWorkflowUrl('https://contoso.webhook.office.com/webhookb2/x', 'input "teams-webhook-url"'),
    ).toThrow(/retired/);
    expect(() => assertTeamsWorkflowUrl('https://outlook.office.com/webhook/x', 'x')).toThrow(/retired/);
    expect(() => assertTeamsWorkflowUrl('not a url', 'x')).toThrow('x: not a valid URL');
    expect(() =>
      assertTeamsWorkflowUrl(
        'https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke',
        'x',
      ),
    ).not.toThrow();
  });
});

describe('PagerDuty events', () => {
  it('triggers on failure and roll-back, resolves on success, ignores the rest', () => {
    expect(pagerDutyPlan('failure')).toEqual({ kind: 'trigger', changeEvent: false });
    expect(pagerDutyPlan('rolled-back')).toEqual({ kind: 'trigger', changeEvent: false });
    expect(pagerDutyPlan('success')).toEqual({ kind: 'resolve', changeEvent: true });
    expect(pagerDutyPlan('started').kind).toBe('none');
  });

  it('uses a stable dedup key and a summary within 1024 characters', () => {
    const message = base({ reason: 'e'.repeat(2000) });
    expect(dedupKey(message)).toBe('deploy-actions/caresync/patient-api/production/patient-api');
    const { event, truncated } = pagerDutyEvent(message, { routingKey: 'k', apiUrl: 'http://x' }, 'trigger');
    const payload = event.payload as { summary: string; severity: string };
    expect(payload.summary).toHaveLength(PAGERDUTY_SUMMARY_MAX);
    expect(payload.severity).toBe('critical');
    expect(truncated).toEqual(['summary']);
    const resolve = pagerDutyEvent(message, { routingKey: 'k', apiUrl: 'http://x' }, 'resolve').event;
    expect(resolve).toEqual({ routing_key: 'k', event_action: 'resolve', dedup_key: dedupKey(message) });
  });
});

describe('results output', () => {
  it('leaves rendered payloads out of the output', () => {
    const out = JSON.parse(
      resultsOutput([
        { target: 'teams', ok: true, skipped: true, attempts: 0, detail: { payload: '{}' } },
        { target: 'slack', ok: true, attempts: 1, detail: { ts: '1.2', payload: '{}' } },
      ]),
    );
    expect(out).toEqual([
      { target: 'teams', ok: true, skipped: true, attempts: 0 },
      { target: 'slack', ok: true, attempts: 1, detail: { ts: '1.2' } },
    ]);
  });
});
