import { describe, expect, test } from 'vitest';
import { load, loadProblems, PRODUCTION, workspace, yaml } from './helpers.js';

const BASE = 'deploy/environments/base.yml';

describe('extends', () => {
  test('a base file is merged under the file: maps key by key, lists replaced whole', async () => {
    const ws = workspace({
      [BASE]: yaml`
        compliance:
          hipaaMode: true
          dataResidency: US
        canary:
          steps: [5, 25, 50, 75, 100]
          analysis:
            minSamples: 500
        notifications:
          webhooks:
            - url: https://a.example.org
            - url: https://b.example.org
      `,
      [PRODUCTION]: yaml`
        extends: base.yml
        environment: {name: production}
        compliance:
          dataResidency: EU
        canary:
          steps: [10, 100]
          analysis:
            interval: 30s
        notifications:
          webhooks:
            - url: https://c.example.org
      `,
    });
    const { config, files } = await load({ workspace: ws });
    expect(files).toEqual([BASE, PRODUCTION]);
    expect(config.compliance).toEqual({ hipaaMode: true, dataResidency: 'EU' });
    expect(config.canary.steps).toEqual([10, 100]);
    expect(config.canary.analysis).toMatchObject({ interval: 30_000, minSamples: 500 });
    expect(config.notifications.webhooks).toEqual([{ url: 'https://c.example.org' }]);
  });

  test('a list of bases merges left to right, and bases may extend further', async () => {
    const ws = workspace({
      'deploy/common/org.yml': 'quality:\n  failOnSeverity: medium\n  maxLintErrors: 5\n',
      'deploy/common/k8s.yml': 'extends: org.yml\nkubernetes: {namespace: caresync, deployment: api}\n',
      'deploy/environments/eu.yml': 'quality:\n  maxLintErrors: 1\ncompliance: {dataResidency: EU}\n',
      [PRODUCTION]: 'extends: [../common/k8s.yml, eu.yml]\nenvironment: {name: production}\n',
    });
    const { config, files } = await load({ workspace: ws });
    expect(files).toEqual([
      'deploy/common/org.yml',
      'deploy/common/k8s.yml',
      'deploy/environments/eu.yml',
      PRODUCTION,
    ]);
    expect(config.quality).toMatchObject({ failOnSeverity: 'medium', maxLintErrors: 1 });
    expect(config.kubernetes).toEqual({ namespace: 'caresync', deployment: 'api' });
    expect(config.compliance.dataResidency).toBe('EU');
  });

  test('the same base reached twice is not a cycle', async () => {
    const ws = workspace({
      'deploy/environments/root.yml': 'environment: {name: production}\n',
      'deploy/environments/a.yml': 'extends: root.yml\n',
      'deploy/environments/b.yml': 'extends: root.yml\n',
      [PRODUCTION]: 'extends: [a.yml, b.yml]\n',
    });
    const { config } = await load({ workspace: ws });
    expect(config.environment.name).toBe('production');
  });

  test('a problem in a base file is located in that file', async () => {
    const ws = workspace({
      [BASE]: yaml`
        deployment:
          strategy: rolling
          rollbackOnFailure: "yes"
      `,
      [PRODUCTION]: 'extends: base.yml\nenvironment: {name: production}\n',
    });
    expect(await loadProblems({ workspace: ws })).toEqual([
      `${BASE}:3:22 deployment.rollbackOnFailure: expected true or false, got "yes"`,
    ]);
  });

  test('a value overridden by the extending file is judged as written there', async () => {
    const ws = workspace({
      [BASE]: 'deployment:\n  strategy: big-bang\n',
      [PRODUCTION]: 'extends: base.yml\nenvironment: {name: production}\ndeployment:\n  strategy: canary\n',
    });
    const { config } = await load({ workspace: ws });
    expect(config.deployment.strategy).toBe('canary');
  });

  test('a cycle is reported with the whole chain', async () => {
    const ws = workspace({
      'deploy/environments/a.yml': 'extends: b.yml\n',
      'deploy/environments/b.yml': 'environment: {name: x}\nextends: production.yml\n',
      [PRODUCTION]: 'extends: a.yml\n',
    });
    expect(await loadProblems({ workspace: ws })).toEqual([
      'deploy/environments/b.yml:2:10 extends: extends cycle: deploy/environments/production.yml → deploy/environments/a.yml → deploy/environments/b.yml → deploy/environments/production.yml',
    ]);
  });

  test('a file extending itself is a cycle', async () => {
    const ws = workspace({ [PRODUCTION]: 'extends: [./production.yml]\n' });
    expect(await loadProblems({ workspace: ws })).toEqual([
      `${PRODUCTION}:1:11 extends[0]: extends cycle: ${PRODUCTION} → ${PRODUCTION}`,
    ]);
  });

  test('a missing base file is located at the extends entry', async () => {
    const ws = workspace({ [PRODUCTION]: 'environment: {name: production}\nextends: shared/base.yml\n' });
    expect(await loadProblems({ workspace: ws })).toEqual([
      `${PRODUCTION}:2:10 extends: cannot read the base file deploy/environments/shared/base.yml: no such file`,
    ]);
  });

  test('extends must name files', async () => {
    const ws = workspace({ [PRODUCTION]: 'extends: [base.yml, 3, {a: 1}]\n', [BASE]: '' });
    expect(await loadProblems({ workspace: ws })).toEqual([
      `${PRODUCTION}:1:21 extends[1]: expected a file path relative to this file, or a list of them`,
      `${PRODUCTION}:1:24 extends[2]: expected a file path relative to this file, or a list of them`,
    ]);
  });

  test('bad YAML in a base file is reported against that file', async () => {
    const ws = workspace({ [BASE]: 'a: [1\n', [PRODUCTION]: 'extends: base.yml\n' });
    const problems = await loadProblems({ workspace: ws });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^deploy\/environments\/base\.yml:\d+:\d+ invalid YAML: /);
  });
});
