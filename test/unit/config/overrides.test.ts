// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text, where ${VAR} is meant literally
import { describe, expect, test } from 'vitest';
import { load, loadProblems, PRODUCTION, workspace, yaml } from './helpers.js';

const file = yaml`
  environment: {name: production}
  deployment:
    strategy: blue-green
  canary:
    steps: [5, 25, 50, 75, 100]
`;

describe('overrides from action inputs', () => {
  test('replace file values and are validated like them', async () => {
    const { config, overriddenPaths } = await load({
      workspace: workspace({ [PRODUCTION]: file }),
      overrides: {
        'deployment.strategy': { input: 'strategy', value: 'canary' },
        'canary.steps': { input: 'canary-steps', value: '[10, 50, 100]' },
        'canary.analysis.thresholds.errorRate': { input: 'max-error-rate', value: '0.5%' },
        'kubernetes.namespace': { input: 'namespace', value: 'caresync' },
        'kubernetes.deployment': { input: 'deployment', value: 'api' },
        'quality.maxLintErrors': { input: 'max-lint-errors', value: 3 },
        'health.retries': { input: 'retries', value: '' },
        'health.timeout': { input: 'timeout', value: undefined },
      },
    });
    expect(config.deployment.strategy).toBe('canary');
    expect(config.canary.steps).toEqual([10, 50, 100]);
    expect(config.canary.pauses).toEqual([1_800_000, 1_800_000]);
    expect(config.canary.analysis.thresholds.errorRate).toBe(0.005);
    expect(config.kubernetes).toEqual({ namespace: 'caresync', deployment: 'api' });
    expect(config.quality.maxLintErrors).toBe(3);
    expect(config.health.retries).toBe(3);
    expect(overriddenPaths).toEqual({
      'deployment.strategy': 'strategy',
      'canary.steps': 'canary-steps',
      'canary.analysis.thresholds.errorRate': 'max-error-rate',
      'kubernetes.namespace': 'namespace',
      'kubernetes.deployment': 'deployment',
      'quality.maxLintErrors': 'max-lint-errors',
    });
  });

  test('an indexed path sets one list item', async () => {
    const { config } = await load({
      workspace: workspace({ [PRODUCTION]: file }),
      overrides: { 'canary.steps[0]': { input: 'first-step', value: '1' } },
    });
    expect(config.canary.steps).toEqual([1, 25, 50, 75, 100]);
  });

  test('a bad input value names the input', async () => {
    expect(
      await loadProblems({
        workspace: workspace({ [PRODUCTION]: file }),
        overrides: {
          'canary.steps': { input: 'canary-steps', value: '[5, fifty, 100]' },
          'rollback.triggers.errorRate': { input: 'rollback-error-rate', value: '0.01' },
          'deployment.stratgy': { input: 'strategy', value: 'canary' },
          'canary..steps': { input: 'odd', value: '1' },
          'canary.steps[7]': { input: 'far', value: '1' },
          'health.baseUrl': { input: 'base-url', value: '[unclosed' },
        },
      }),
    ).toEqual([
      'canary..steps: input "odd": is mapped to a malformed config path',
      'canary.steps[7]: input "far": cannot be set: a list on the way has no item at that index',
      'health.baseUrl: input "base-url": expected a YAML value: Flow sequence must end with a ]',
      'deployment.stratgy: input "strategy": unknown key; did you mean `strategy`?',
      'canary.steps[1]: input "canary-steps": expected a number between 0 and 100, got "fifty"',
      'rollback.triggers.errorRate: input "rollback-error-rate": expected a percentage between 0% and 100% such as "1%", got 0.01; write "0.01%" for 0.01 percent, or "1%" if 0.01 is a fraction',
    ]);
  });

  test('an input needs no file value beneath it, and is not interpolated', async () => {
    const { config } = await load({
      workspace: workspace({ [PRODUCTION]: 'environment: {name: production}\n' }),
      overrides: { 'audit.file': { input: 'audit-file', value: '${RUNNER_TEMP}/audit.jsonl' } },
    });
    expect(config.audit.file).toBe('${RUNNER_TEMP}/audit.jsonl');
  });
});
