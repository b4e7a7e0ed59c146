import { describe, expect, test } from 'vitest';
import { loadProblems, PRODUCTION, workspace, yaml } from './helpers.js';

const problemsFor = (text: string) => loadProblems({ workspace: workspace({ [PRODUCTION]: text }) });

describe('validation problems name file:line:column, the path, what was expected and what was found', () => {
  test('a number out of range inside a list', async () => {
    expect(
      await problemsFor(yaml`
        environment:
          name: production
        canary:
          steps:
            - 5
            - 25
            - fifty
            - 100
      `),
    ).toEqual([`${PRODUCTION}:7:7 canary.steps[2]: expected a number between 0 and 100, got "fifty"`]);
  });

  test('every problem in the file is reported at once', async () => {
    expect(
      await problemsFor(yaml`
        environment:
          name: production
        deployment:
          strategy: blue-gren
          rollbackOnFailur: true
          backupBeforeDeploy: yes
        scaling:
          minReplicas: 5
          maxReplicas: 3
          autoScaling: true
        security:
          tlsVersion: "1.1"
      `),
    ).toEqual([
      `${PRODUCTION}:4:13 deployment.strategy: expected one of \`blue-green\`, \`rolling-update\`, \`rolling\`, \`canary\`, \`recreate\`, got "blue-gren"; did you mean \`blue-green\`?`,
      `${PRODUCTION}:5:3 deployment.rollbackOnFailur: unknown key; did you mean \`rollbackOnFailure\`?`,
      `${PRODUCTION}:6:23 deployment.backupBeforeDeploy: expected true or false, got "yes"`,
      `${PRODUCTION}:10:16 scaling.autoScaling: expected one of \`enabled\`, \`disabled\`, got true`,
      `${PRODUCTION}:12:15 security.tlsVersion: expected "1.2" or "1.3", got "1.1"`,
    ]);
  });

  test('a rule across two keys points at the key it judges', async () => {
    expect(
      await problemsFor(yaml`
        environment: {name: production}
        scaling:
          minReplicas: 5
          maxReplicas: 3
      `),
    ).toEqual([
      `${PRODUCTION}:3:16 scaling.minReplicas: expected a number no greater than scaling.maxReplicas, got 5`,
    ]);
  });

  test('a missing required key points at the map that lacks it', async () => {
    expect(
      await problemsFor(yaml`
        environment: {name: production}
        kubernetes:
          deployment: api
      `),
    ).toEqual([
      `${PRODUCTION}:2:1 kubernetes.namespace: missing required key, expected a Kubernetes namespace name: up to 63 lowercase letters, digits and '-'`,
    ]);
  });

  test('a missing key inside a list item points at the item', async () => {
    expect(
      await problemsFor(yaml`
        environment: {name: production}
        notifications:
          webhooks:
            - name: audit
      `),
    ).toEqual([`${PRODUCTION}:4:7 notifications.webhooks[0].url: missing required key, expected text`]);
  });

  test('unknown keys suggest the known key they resemble', async () => {
    expect(
      await problemsFor(yaml`
        environment: {name: production}
        canery:
          steps: [5, 100]
        rollback:
          triggers:
            error-rate: 2%
        disaster_recovery: {}
        deployment:
          colour: blue
      `),
    ).toEqual([
      `${PRODUCTION}:2:1 canery: unknown key; did you mean \`canary\`?`,
      `${PRODUCTION}:6:5 rollback.triggers.error-rate: unknown key; did you mean \`errorRate\`?`,
      `${PRODUCTION}:7:1 disaster_recovery: unknown key; did you mean \`disaster-recovery\`?`,
      `${PRODUCTION}:9:3 deployment.colour: unknown key; expected one of \`strategy\`, \`healthChecks\`, \`backupBeforeDeploy\`, \`rollbackOnFailure\`, \`scaleDownDelay\`, \`requireApproval\`, \`leaseDuration\`, \`timeout\``,
    ]);
  });

  test('a map where a value belongs, and a value where a map belongs', async () => {
    expect(
      await problemsFor(yaml`
        environment: production
        canary:
          steps: {first: 5}
      `),
    ).toEqual([
      `${PRODUCTION}:1:14 environment: expected a map, got "production"`,
      `${PRODUCTION}:3:10 canary.steps: expected a list, got a map`,
    ]);
  });

  test('an empty value is named as such', async () => {
    expect(await problemsFor('environment:\n  name:\n')).toEqual([
      `${PRODUCTION}:2:8 environment.name: expected text, got an empty value`,
    ]);
  });

  test('canary steps must rise and end at 100; pauses must match them', async () => {
    expect(
      await problemsFor(yaml`
        environment: {name: production}
        canary:
          steps: [5, 50, 25, 75]
          pauses: [30m, 1h]
      `),
    ).toEqual([
      `${PRODUCTION}:3:18 canary.steps[2]: expected a step above the one before it, got 25`,
      `${PRODUCTION}:3:22 canary.steps[3]: expected the last step to be 100 (full rollout), got 75`,
      `${PRODUCTION}:4:11 canary.pauses: expected 3 durations, one for each step before the last, got a list of 2 items`,
    ]);
  });

  test('URLs must be http(s) or secret references', async () => {
    expect(
      await problemsFor(yaml`
        environment: {name: production}
        notifications:
          teams: {webhookUrl: "ftp://example.org/hook"}
          slack: {channel: "#deploys"}
      `),
    ).toEqual([
      `${PRODUCTION}:3:23 notifications.teams.webhookUrl: expected an http:// or https:// URL, or an aws-sm:// secret reference, got "ftp://example.org/hook"`,
      `${PRODUCTION}:4:10 notifications.slack: expected webhookUrl, or token and channel, got a map`,
    ]);
  });
});

describe('rates and durations carry their units', () => {
  test('a bare number for a rate says what to write instead', async () => {
    expect(
      await problemsFor(yaml`
        environment: {name: production}
        canary:
          analysis:
            thresholds:
              errorRate: 0.1
        rollback:
          triggers:
            healthCheckFailureRate: 10
            errorRate: "1 percent"
      `),
    ).toEqual([
      `${PRODUCTION}:5:18 canary.analysis.thresholds.errorRate: expected a percentage between 0% and 100% such as "1%", got 0.1; write "0.1%" for 0.1 percent, or "10%" if 0.1 is a fraction`,
      `${PRODUCTION}:8:29 rollback.triggers.healthCheckFailureRate: expected a percentage between 0% and 100% such as "1%", got 10; write "10%"`,
      `${PRODUCTION}:9:16 rollback.triggers.errorRate: expected a percentage between 0% and 100% such as "1%", got "1 percent"`,
    ]);
  });

  test('a bare number for a duration says what to write instead', async () => {
    expect(
      await problemsFor(yaml`
        environment: {name: production}
        rollback:
          triggers:
            p95: 2000
        health:
          timeout: 0s
          interval: 10 seconds
      `),
    ).toEqual([
      `${PRODUCTION}:4:10 rollback.triggers.p95: expected a duration above zero such as "500ms", "30s", "5m" or "1h", got 2000; write "2000ms" for milliseconds or "2000s" for seconds`,
      `${PRODUCTION}:6:12 health.timeout: expected a duration above zero such as "500ms", "30s", "5m" or "1h", got "0s"`,
      `${PRODUCTION}:7:13 health.interval: expected a duration above zero such as "500ms", "30s", "5m" or "1h", got "10 seconds"`,
    ]);
  });

  test('a rate above 100% is refused', async () => {
    expect(
      await problemsFor('environment: {name: production}\nrollback:\n  triggers:\n    errorRate: 150%\n'),
    ).toEqual([
      `${PRODUCTION}:4:16 rollback.triggers.errorRate: expected a percentage between 0% and 100% such as "1%", got "150%"`,
    ]);
  });
});
