import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../../shared/errors.js';
import { load, loadProblems, PRODUCTION, workspace, yaml } from './helpers.js';

const fixture = (name: string) => path.resolve('test/fixtures/config', name);

function seedWorkspace(): string {
  const dir = workspace({});
  mkdirSync(path.join(dir, 'deploy/environments'), { recursive: true });
  for (const name of ['production', 'staging']) {
    copyFileSync(fixture(`seed-${name}.yml`), path.join(dir, `deploy/environments/${name}.yml`));
  }
  return dir;
}

describe('the seed environment matrix', () => {
  test('production.yml loads unchanged, with the seed values as written', async () => {
    const { config, files } = await load({ workspace: seedWorkspace(), environment: 'production' });
    expect(files).toEqual(['deploy/environments/production.yml']);
    expect(config.environment).toEqual({ name: 'production', description: 'Live production environment' });
    expect(config.security).toEqual({
      encryption: 'enterprise-grade',
      authentication: 'production-keys',
      httpsRequired: true,
      tlsVersion: '1.3',
    });
    expect(config.database).toMatchObject({
      ssl: true,
      sslMode: 'require',
      connectionPool: 20,
      backupEnabled: true,
      replicationEnabled: true,
    });
    expect(config.monitoring).toEqual({ metricsEnabled: true, logLevel: 'warn', alertingEnabled: true });
    expect(config.compliance).toEqual({
      hipaaMode: true,
      gdprMode: true,
      auditLevel: 'comprehensive',
      dataResidency: 'US',
    });
    expect(config.deployment).toEqual({
      strategy: 'blue-green',
      healthChecks: 'mandatory',
      backupBeforeDeploy: true,
      rollbackOnFailure: true,
    });
    expect(config.scaling).toEqual({ minReplicas: 3, maxReplicas: 20, autoScaling: 'enabled' });
    expect(config['disaster-recovery']).toEqual({
      backupFrequency: 'hourly',
      rpo: '< 1 hour',
      rto: '< 30 minutes',
    });
    expect(config.kubernetes).toBeUndefined();
  });

  test('staging.yml loads unchanged', async () => {
    const { config } = await load({ workspace: seedWorkspace(), environment: 'staging' });
    expect(config.environment.name).toBe('staging');
    expect(config.security).toEqual({ encryption: 'production-grade', httpsRequired: true });
    expect(config.database).toMatchObject({ ssl: true, connectionPool: 10 });
    expect(config.compliance).toEqual({ hipaaMode: true, gdprMode: true, auditLevel: 'full' });
    expect(config.deployment).toEqual({
      strategy: 'rolling-update',
      healthChecks: 'enabled',
      backupBeforeDeploy: true,
      rollbackOnFailure: true,
    });
  });

  test('the fixtures are byte-for-byte the seed examples', () => {
    const seed = readFileSync(path.resolve('test/fixtures/config/seed-production.yml'), 'utf8');
    expect(seed.startsWith('# environments/production.yml\nenvironment:\n  name: production\n')).toBe(true);
    expect(seed).toContain(
      'disaster-recovery:\n  backupFrequency: hourly\n  rpo: "< 1 hour"\n  rto: "< 30 minutes"\n',
    );
  });
});

describe('defaults', () => {
  test('come from the seeds where the file says nothing', async () => {
    const ws = workspace({ [PRODUCTION]: 'environment:\n  name: production\n' });
    const { config } = await load({ workspace: ws });
    expect(config.canary).toEqual({
      steps: [5, 25, 50, 75, 100],
      pauses: [30 * 60_000, 30 * 60_000, 3_600_000, 3_600_000],
      analysis: { interval: 60_000, minSamples: 100, thresholds: { errorRate: 0.001, p95: 500, p99: 2000 } },
    });
    expect(config.rollback).toEqual({
      automatic: true,
      triggers: { healthCheckFailureRate: 0.1, errorRate: 0.01, p95: 2000 },
    });
    expect(config.quality).toEqual({
      coverage: { lines: 70 },
      failOnSeverity: 'high',
      maxLintErrors: 0,
      maxSecrets: 0,
      maxTestFailures: 0,
    });
    expect(config.health).toEqual({
      paths: { health: '/health', ready: '/ready', live: '/live' },
      timeout: 10_000,
      retries: 3,
      interval: 10_000,
    });
    expect(config.audit).toEqual({ retentionYears: 7 });
    expect(config.deployment).toEqual({
      strategy: 'rolling',
      healthChecks: 'enabled',
      backupBeforeDeploy: true,
      rollbackOnFailure: true,
    });
    expect(config.database.migrations).toEqual({
      directory: 'migrations',
      historyTable: 'deploy_schema_history',
      lockTimeout: 5000,
      lockWait: 300_000,
      outOfOrder: false,
      // Data dumps carry PHI: a schema-only backup unless the config asks for data.
      backup: { mode: 'schema' },
    });
    expect(config.security.httpsRequired).toBe(true);
    expect(config.compliance.hipaaMode).toBe(true);
    expect(config.notifications).toEqual({});
  });

  test('custom canary steps without pauses hold each step 30m', async () => {
    const ws = workspace({ [PRODUCTION]: 'environment: {name: production}\ncanary:\n  steps: [10, 100]\n' });
    const { config } = await load({ workspace: ws });
    expect(config.canary.steps).toEqual([10, 100]);
    expect(config.canary.pauses).toEqual([1_800_000]);
  });

  test('the additions parse: kubernetes, health, notifications, audit', async () => {
    const ws = workspace({
      [PRODUCTION]: yaml`
        environment: {name: production}
        kubernetes:
          namespace: caresync
          deployment: api
          container: api
          service: api
          previewService: api-preview
          ingress: api
        health:
          baseUrl: https://api.example.org
          paths: {ready: /readyz}
          timeout: 3s
        canary:
          steps: [10, 50, 100]
          pauses: [5m, 1h30m]
        monitoring:
          prometheus:
            url: http://prometheus:9090
            headers: {X-Scope-OrgID: caresync}
        notifications:
          slack: {webhookUrl: https://hooks.slack.com/services/T/B/X}
          pagerduty: {routingKey: abc}
          webhooks:
            - url: https://hooks.example.org/deploy
              secret: s3cret
        audit:
          file: /tmp/audit.jsonl
          http: {url: https://audit.example.org/events}
        quality:
          coverage: {lines: "80%", branches: 60}
          failOnSeverity: critical
      `,
    });
    const { config } = await load({ workspace: ws });
    expect(config.kubernetes).toEqual({
      namespace: 'caresync',
      deployment: 'api',
      container: 'api',
      service: 'api',
      previewService: 'api-preview',
      ingress: 'api',
    });
    expect(config.health).toMatchObject({ baseUrl: 'https://api.example.org', timeout: 3000 });
    expect(config.health.paths).toEqual({ health: '/health', ready: '/readyz', live: '/live' });
    expect(config.canary.pauses).toEqual([300_000, 5_400_000]);
    expect(config.monitoring.prometheus).toEqual({
      url: 'http://prometheus:9090',
      headers: { 'X-Scope-OrgID': 'caresync' },
    });
    expect(config.notifications.pagerduty).toEqual({
      routingKey: 'abc',
      apiUrl: 'https://events.pagerduty.com',
    });
    expect(config.notifications.webhooks).toEqual([
      { url: 'https://hooks.example.org/deploy', secret: 's3cret' },
    ]);
    expect(config.audit).toEqual({
      file: '/tmp/audit.jsonl',
      http: { url: 'https://audit.example.org/events', required: false },
      retentionYears: 7,
    });
    expect(config.quality.coverage).toEqual({ lines: 80, branches: 60 });
    expect(config.quality.failOnSeverity).toBe('critical');
  });
});

describe('finding the file', () => {
  test('the default path is deploy/environments/<environment>.yml under the workspace', async () => {
    const ws = workspace({ 'deploy/environments/qa.yml': 'environment: {name: qa}\n' });
    const { config, environment } = await load({ workspace: ws, environment: 'qa' });
    expect(environment).toBe('qa');
    expect(config.environment.name).toBe('qa');
  });

  test('an explicit path is relative to the workspace', async () => {
    const ws = workspace({ 'ops/prod.yaml': 'environment: {name: production}\n' });
    const { files } = await load({ workspace: ws, path: 'ops/prod.yaml' });
    expect(files).toEqual(['ops/prod.yaml']);
  });

  test('a missing file names the path tried and the environment', async () => {
    expect(await loadProblems({ workspace: workspace({}), environment: 'staging' })).toEqual([
      'no config for environment "staging": cannot read deploy/environments/staging.yml (no such file)',
    ]);
  });

  test('an environment name that is not a file name is refused', async () => {
    expect(await loadProblems({ workspace: workspace({}), environment: '../secrets' })).toEqual([
      'environment "../secrets" is not a valid name for a config file; set a config path',
    ]);
  });
});

describe('documents that are not config', () => {
  test('bad YAML syntax is located', async () => {
    const ws = workspace({ [PRODUCTION]: 'environment:\n  name: production\ncanary:\n  steps: [5, 25\n' });
    expect(await loadProblems({ workspace: ws })).toEqual([
      `${PRODUCTION}:5:1 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
  });

  test('duplicate keys are a YAML error', async () => {
    const ws = workspace({ [PRODUCTION]: 'environment:\n  name: a\n  name: b\n' });
    expect(await loadProblems({ workspace: ws })).toEqual([
      `${PRODUCTION}:3:3 invalid YAML: Map keys must be unique`,
    ]);
  });

  test('a list at the top of the file is refused', async () => {
    const ws = workspace({ [PRODUCTION]: '- environment\n- security\n' });
    expect(await loadProblems({ workspace: ws })).toEqual([
      `${PRODUCTION}:1:1 expected a map of settings at the top of the file, got a list`,
    ]);
  });

  test('a single value at the top of the file is refused', async () => {
    const ws = workspace({ [PRODUCTION]: '# comment\nproduction\n' });
    expect(await loadProblems({ workspace: ws })).toEqual([
      `${PRODUCTION}:2:1 expected a map of settings at the top of the file, got a single value`,
    ]);
  });

  test('an empty file lacks the environment section', async () => {
    const ws = workspace({ [PRODUCTION]: '' });
    expect(await loadProblems({ workspace: ws })).toEqual([
      `${PRODUCTION}:1:1 environment: missing required key, expected a map`,
    ]);
  });
});

test('a failed load throws a ConfigError listing every problem and contacts nothing', async () => {
  const calls: unknown[] = [];
  const secretsClient = {
    send: async (command: unknown) => {
      calls.push(command);
      throw new Error('must not be called');
    },
  } as never;
  const ws = workspace({
    [PRODUCTION]: yaml`
      environment: {name: production}
      database:
        password: aws-sm://caresync/prod/database#password
        connectionPool: many
    `,
  });
  const error = await load({ workspace: ws, secretsClient }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toEqual([
    {
      position: { file: PRODUCTION, line: 4, column: 19 },
      path: 'database.connectionPool',
      message: 'expected a whole number between 1 and 1000, got "many"',
    },
  ]);
  expect(calls).toEqual([]);
});
