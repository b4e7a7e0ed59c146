// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text, where ${VAR} is meant literally
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createSecretsClient } from '../../../shared/config/index.js';
import { ConfigError } from '../../../shared/errors.js';
import { knownSecrets, resetSecretsForTest } from '../../../shared/secrets.js';
import { type MotoServer, motoEnv, startMoto } from '../../support/moto.js';
import { load, PRODUCTION, workspace, yaml } from './helpers.js';

let moto: MotoServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  // The loader builds its client the SDK's own way, from the environment, as on a runner.
  Object.assign(process.env, motoEnv(moto));
  const client = await createSecretsClient();
  const create = (Name: string, SecretString: string) =>
    client.send(new CreateSecretCommand({ Name, SecretString }));
  await create(
    'caresync/prod/database',
    JSON.stringify({ username: 'svc', password: 'db-pa55word', port: 5432 }),
  );
  await create('caresync/prod/slack', 'https://hooks.slack.com/services/T0/B0/slack-token');
  await create('caresync/prod/pagerduty', JSON.stringify({ routingKey: 'pd-routing-key' }));
  await create('caresync/prod/not-json', 'just text');
  for (let i = 0; i < 22; i++) await create(`caresync/many/${i}`, `value-${i}`);
  client.destroy();
});

afterAll(async () => {
  process.env = savedEnv;
  await moto?.stop();
});

afterEach(() => {
  resetSecretsForTest();
  vi.restoreAllMocks();
});

const withSecrets = yaml`
  environment: {name: production}
  database:
    user: aws-sm://caresync/prod/database#username
    password: aws-sm://caresync/prod/database#password
  notifications:
    slack:
      webhookUrl: aws-sm://caresync/prod/slack
    pagerduty:
      routingKey: aws-sm://caresync/prod/pagerduty#routingKey
`;

describe('aws-sm:// references against a real moto server', () => {
  test('several references resolve in one batch call, each value masked before use', async () => {
    const send = vi.spyOn(SecretsManagerClient.prototype, 'send');
    const { config, secretPaths } = await load({ workspace: workspace({ [PRODUCTION]: withSecrets }) });
    expect(config.database.user).toBe('svc');
    expect(config.database.password).toBe('db-pa55word');
    expect(config.notifications.slack?.webhookUrl).toBe('https://hooks.slack.com/services/T0/B0/slack-token');
    expect(config.notifications.pagerduty?.routingKey).toBe('pd-routing-key');
    expect(secretPaths).toEqual({
      'database.user': 'aws-sm://caresync/prod/database#username',
      'database.password': 'aws-sm://caresync/prod/database#password',
      'notifications.slack.webhookUrl': 'aws-sm://caresync/prod/slack',
      'notifications.pagerduty.routingKey': 'aws-sm://caresync/prod/pagerduty#routingKey',
    });
    expect([...knownSecrets()]).toEqual(
      expect.arrayContaining([
        'svc',
        'db-pa55word',
        'https://hooks.slack.com/services/T0/B0/slack-token',
        'pd-routing-key',
      ]),
    );
    const commands = send.mock.calls.map(([command]) => command.constructor.name);
    expect(commands).toEqual(['BatchGetSecretValueCommand']);
    expect(send.mock.calls[0]?.[0].input).toEqual({
      SecretIdList: ['caresync/prod/database', 'caresync/prod/slack', 'caresync/prod/pagerduty'],
      NextToken: undefined,
    });
  });

  test('more than 20 distinct secrets take one batch call per 20', async () => {
    const send = vi.spyOn(SecretsManagerClient.prototype, 'send');
    const hooks = Array.from(
      { length: 22 },
      (_, i) => `    - {url: "https://h${i}.example.org", secret: "aws-sm://caresync/many/${i}"}`,
    );
    const file = ['environment: {name: production}', 'notifications:', '  webhooks:', ...hooks, ''].join(
      '\n',
    );
    const { config } = await load({ workspace: workspace({ [PRODUCTION]: file }) });
    expect(config.notifications.webhooks?.map((hook) => hook.secret)).toEqual(
      Array.from({ length: 22 }, (_, i) => `value-${i}`),
    );
    expect(
      send.mock.calls.map(([command]) => (command.input as { SecretIdList: string[] }).SecretIdList.length),
    ).toEqual([20, 2]);
  });

  test('missing secrets, missing keys and non-JSON secrets are all reported together, at their positions', async () => {
    const file = yaml`
      environment: {name: production}
      database:
        user: aws-sm://caresync/prod/database#username
        password: aws-sm://caresync/prod/database#pasword
        name: aws-sm://caresync/prod/not-json#name
        host: aws-sm://caresync/prod/missing#host
        url: aws-sm://caresync/prod/database#port
      audit:
        hmacKey: aws-sm://#key
        http:
          url: https://audit.example.org
          secret: aws-sm://\${AUDIT_SECRET_ID}
    `;
    const env = { AUDIT_SECRET_ID: 'caresync/prod/audit-hidden-name' };
    const error = (await load({ workspace: workspace({ [PRODUCTION]: file }), env }).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.split('\n')).toEqual([
      `${PRODUCTION}:4:13 database.password: aws-sm://caresync/prod/database#pasword: key "pasword" not in the secret's JSON`,
      `${PRODUCTION}:5:9 database.name: aws-sm://caresync/prod/not-json#name: not JSON`,
      `${PRODUCTION}:6:9 database.host: aws-sm://caresync/prod/missing#host: secret not found`,
      `${PRODUCTION}:9:12 audit.hmacKey: aws-sm://#key: expected aws-sm://<secret-id> or aws-sm://<secret-id>#<json-key>`,
      `${PRODUCTION}:12:13 audit.http.secret: aws-sm://\${AUDIT_SECRET_ID}: secret not found`,
    ]);
    expect(error.message).not.toContain('audit-hidden-name');
    // A number in the JSON is usable as text; the secrets that did resolve are masked.
    expect(knownSecrets().has('svc')).toBe(true);
    expect(knownSecrets().has('5432')).toBe(true);
    expect(error.message).not.toContain('db-pa55word');
  });

  test('falls back to GetSecretValue per id where the batch call is refused', async () => {
    const original = SecretsManagerClient.prototype.send;
    const names: string[] = [];
    vi.spyOn(SecretsManagerClient.prototype, 'send').mockImplementation(function (
      this: SecretsManagerClient,
      command: { constructor: { name: string } },
    ) {
      names.push(command.constructor.name);
      if (command.constructor.name === 'BatchGetSecretValueCommand') {
        return Promise.reject(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
      }
      return (original as (c: unknown) => Promise<unknown>).call(this, command);
    } as never);
    const { config } = await load({ workspace: workspace({ [PRODUCTION]: withSecrets }) });
    expect(config.database.password).toBe('db-pa55word');
    expect(names).toEqual([
      'BatchGetSecretValueCommand',
      'GetSecretValueCommand',
      'GetSecretValueCommand',
      'GetSecretValueCommand',
    ]);
    expect(knownSecrets().has('pd-routing-key')).toBe(true);
  });

  test('a config without references never builds a client', async () => {
    const send = vi.spyOn(SecretsManagerClient.prototype, 'send');
    await load({ workspace: workspace({ [PRODUCTION]: 'environment: {name: production}\n' }) });
    expect(send).not.toHaveBeenCalled();
  });
});

describe('createSecretsClient', () => {
  test('keeps the region the environment sets', async () => {
    const client = await createSecretsClient();
    expect(await client.config.region()).toBe('us-east-1');
    process.env.AWS_REGION = 'eu-west-1';
    const eu = await createSecretsClient();
    expect(await eu.config.region()).toBe('eu-west-1');
    process.env.AWS_REGION = 'us-east-1';
  });

  test('falls back to us-east-1 when no region is set anywhere', async () => {
    const saved = { region: process.env.AWS_REGION, config: process.env.AWS_CONFIG_FILE };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    try {
      const client = await createSecretsClient();
      expect(await client.config.region()).toBe('us-east-1');
    } finally {
      process.env.AWS_REGION = saved.region;
      if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = saved.config;
    }
  });
});
