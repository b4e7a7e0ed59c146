// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text, where ${VAR} is meant literally
import { afterEach, describe, expect, test } from 'vitest';
import { effectiveConfigMarkdown } from '../../../shared/config/index.js';
import { registerSecret, resetSecretsForTest } from '../../../shared/secrets.js';
import { load, PRODUCTION, workspace, yaml } from './helpers.js';

afterEach(() => resetSecretsForTest());

async function loaded() {
  const ws = workspace({
    [PRODUCTION]: yaml`
      environment:
        name: production
        description: "pipes | and \`ticks\`"
      database:
        url: postgres://\${DB_USER}@db/app
      notifications:
        webhooks:
          - url: https://hooks.example.org/x
            headers: {X-Team: care}
      monitoring:
        prometheus:
          url: http://prometheus:9090
          bearerToken: plain-token-in-file
    `,
  });
  return load({
    workspace: ws,
    env: { DB_USER: 'svc-user' },
    overrides: { 'canary.steps': { input: 'canary-steps', value: '[10, 100]' } },
  });
}

describe('effectiveConfigMarkdown', () => {
  test('lists every effective setting with units, sources and secrets hidden', async () => {
    const result = await loaded();
    // As if the bearer token had been resolved from Secrets Manager.
    registerSecret('plain-token-in-file');
    const markdown = effectiveConfigMarkdown(
      result.config,
      { 'monitoring.prometheus.bearerToken': 'aws-sm://caresync/prom#token' },
      result,
    );
    const rows = markdown.split('\n');
    expect(rows.slice(0, 6)).toEqual([
      '### Effective configuration: `production`',
      '',
      `Read from \`${PRODUCTION}\`.`,
      '',
      '| Setting | Value | Source |',
      '| --- | --- | --- |',
    ]);
    expect(rows).toContain('| `environment.description` | `` pipes \\| and `ticks` `` |  |');
    expect(rows).toContain('| `canary.steps` | `10, 100` | input `canary-steps` |');
    expect(rows).toContain('| `canary.pauses` | `30m` |  |');
    expect(rows).toContain('| `canary.analysis.thresholds.errorRate` | `0.1%` |  |');
    expect(rows).toContain('| `canary.analysis.thresholds.p95` | `500ms` |  |');
    expect(rows).toContain('| `rollback.triggers.healthCheckFailureRate` | `10%` |  |');
    expect(rows).toContain(
      '| `database.url` | `postgres://${DB_USER}@db/app` | environment variable (value hidden) |',
    );
    expect(rows).toContain(
      '| `monitoring.prometheus.bearerToken` | `aws-sm://caresync/prom#token` | secret (value hidden) |',
    );
    expect(rows).toContain('| `notifications.webhooks[0].url` | `https://hooks.example.org/x` |  |');
    expect(rows).toContain('| `notifications.webhooks[0].headers.X-Team` | `care` |  |');
    expect(rows).toContain('| `quality.coverage.lines` | `70` |  |');
    expect(markdown).not.toContain('svc-user');
    expect(markdown).not.toContain('plain-token-in-file');
  });

  test('a plain list of secret paths shows the values as ***, and known secrets elsewhere are redacted', async () => {
    const result = await loaded();
    registerSecret('hooks.example.org');
    const markdown = effectiveConfigMarkdown(result.config, ['monitoring.prometheus.bearerToken']);
    expect(markdown.startsWith('### Effective configuration\n\n| Setting |')).toBe(true);
    expect(markdown).toContain('| `monitoring.prometheus.bearerToken` | `***` | secret (value hidden) |');
    expect(markdown).toContain('| `notifications.webhooks[0].url` | `https://***/x` |  |');
  });
});
