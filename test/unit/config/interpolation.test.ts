// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text, where ${VAR} is meant literally
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../../shared/errors.js';
import { load, loadProblems, PRODUCTION, workspace, yaml } from './helpers.js';

describe('${VAR} interpolation', () => {
  test('replaces variables, applies defaults and keeps $${ literal', async () => {
    const ws = workspace({
      [PRODUCTION]: yaml`
        environment:
          name: \${ENVIRONMENT}
          description: "cost $$5, \${MISSING:-no default needed} and $\${NOT_A_VAR}"
        database:
          url: postgres://\${DB_USER}@db:5432/\${DB_NAME:-app}
          user: \${EMPTY:-fallback}
          connectionPool: \${POOL:-15}
          ssl: \${SSL}
        monitoring:
          logLevel: "\${LEVEL:-info}"
      `,
    });
    const { config, interpolatedPaths } = await load({
      workspace: ws,
      env: { ENVIRONMENT: 'production', DB_USER: 'svc', EMPTY: '', SSL: 'false' },
    });
    expect(config.environment).toEqual({
      name: 'production',
      description: 'cost $$5, no default needed and ${NOT_A_VAR}',
    });
    expect(config.database).toMatchObject({
      url: 'postgres://svc@db:5432/app',
      user: 'fallback',
      connectionPool: 15,
      ssl: false,
    });
    expect(config.monitoring.logLevel).toBe('info');
    expect(interpolatedPaths).toEqual({
      'environment.name': '${ENVIRONMENT}',
      'environment.description': 'cost $$5, ${MISSING:-no default needed} and $${NOT_A_VAR}',
      'database.url': 'postgres://${DB_USER}@db:5432/${DB_NAME:-app}',
      'database.user': '${EMPTY:-fallback}',
      'database.connectionPool': '${POOL:-15}',
      'database.ssl': '${SSL}',
      'monitoring.logLevel': '${LEVEL:-info}',
    });
  });

  test('a quoted value stays text after interpolation', async () => {
    const ws = workspace({
      [PRODUCTION]: 'environment: {name: production}\ndatabase:\n  password: "${PW}"\n',
    });
    const { config } = await load({ workspace: ws, env: { PW: '12345' } });
    expect(config.database.password).toBe('12345');
  });

  test('uses process.env when no env is given', async () => {
    process.env.CONFIG_TEST_NAMESPACE = 'from-process';
    const ws = workspace({
      [PRODUCTION]:
        'environment: {name: production}\nkubernetes: {namespace: "${CONFIG_TEST_NAMESPACE}", deployment: api}\n',
    });
    const { config } = await load({ workspace: ws, env: undefined });
    expect(config.kubernetes?.namespace).toBe('from-process');
    delete process.env.CONFIG_TEST_NAMESPACE;
  });

  test('an unset variable is an error at its position, alongside the other problems', async () => {
    const ws = workspace({
      [PRODUCTION]: yaml`
        environment: {name: production}
        database:
          password: \${DB_PASSWORD}
          port: high
        audit:
          hmacKey: "\${HMAC_KEY"
          file: \${1NVALID}
      `,
    });
    expect(await loadProblems({ workspace: ws })).toEqual([
      `${PRODUCTION}:3:13 database.password: environment variable DB_PASSWORD is not set (write \`\${DB_PASSWORD:-default}\` to give a default)`,
      `${PRODUCTION}:4:9 database.port: expected a whole number between 1 and 65535, got "high"`,
      `${PRODUCTION}:6:12 audit.hmacKey: unclosed \`\${\`: write \`\${NAME}\`, or \`$\${\` for a literal \`\${\``,
      `${PRODUCTION}:7:9 audit.file: expected a variable reference such as \`\${NAME}\` or \`\${NAME:-default}\``,
    ]);
  });

  test('a bad interpolated value is named by its variable, never shown', async () => {
    const secret = 'hunter2-s3cr3t';
    const ws = workspace({
      [PRODUCTION]: yaml`
        environment: {name: production}
        deployment:
          strategy: \${STRATEGY}
        rollback:
          triggers:
            errorRate: \${RATE}
        notifications:
          teams:
            webhookUrl: "https://\${HOST}/\${TOKEN}"
        database:
          port: \${DB_PASSWORD}
      `,
    });
    const error = (await load({
      workspace: ws,
      env: { STRATEGY: secret, RATE: `0.${secret}`, HOST: 'x y', TOKEN: secret, DB_PASSWORD: secret },
    }).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.split('\n')).toEqual([
      `${PRODUCTION}:3:13 deployment.strategy: expected one of \`blue-green\`, \`rolling-update\`, \`rolling\`, \`canary\`, \`recreate\`, got the value of \${STRATEGY}`,
      `${PRODUCTION}:6:16 rollback.triggers.errorRate: expected a percentage between 0% and 100% such as "1%", got the value of \${RATE}; write it with a % sign`,
      `${PRODUCTION}:9:17 notifications.teams.webhookUrl: expected an http:// or https:// URL, or an aws-sm:// secret reference, got a value built from \${HOST}, \${TOKEN}`,
      `${PRODUCTION}:11:9 database.port: expected a whole number between 1 and 65535, got the value of \${DB_PASSWORD}`,
    ]);
    expect(error.message).not.toContain('hunter2');
    expect(JSON.stringify(error.problems)).not.toContain('hunter2');
  });
});
