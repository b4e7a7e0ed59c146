import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type ConfigOverrides,
  defaultConfigPath,
  type LoadedEnvironmentConfig,
  loadEnvironmentConfig,
} from '../../shared/config/index.js';
import type { QualityGateInputs } from './inputs.js';

/** Inputs that override `quality.*` config values, validated by the config schema like file values. */
export function qualityOverrides(inputs: QualityGateInputs): ConfigOverrides {
  const given = (input: string, value: unknown) =>
    value === undefined || (Array.isArray(value) && value.length === 0) ? undefined : { input, value };
  return {
    'quality.coverage.lines': given('min-coverage', inputs.minCoverage),
    'quality.coverage.branches': given('min-branch-coverage', inputs.minBranchCoverage),
    'quality.failOnSeverity': given('fail-on-severity', inputs.failOnSeverity),
    'quality.failOnLevel': given('fail-on-level', inputs.failOnLevel),
    'quality.maxLintErrors': given('max-lint-errors', inputs.maxLintErrors),
    'quality.maxLintWarnings': given('max-lint-warnings', inputs.maxLintWarnings),
    'quality.maxTestFailures': given('max-test-failures', inputs.maxTestFailures),
    'quality.maxSecrets': given('max-secrets', inputs.maxSecrets),
    'quality.changedFilesOnly': given('changed-files-only', inputs.changedFilesOnly),
    'quality.licenses.deny': given('licenses-deny', inputs.licensesDeny),
    'quality.licenses.allow': given('licenses-allow', inputs.licensesAllow),
  };
}

/**
 * The environment's config with the inputs applied. The gate can run from inputs alone: when no
 * config path is given and the environment has no file, the defaults (seed thresholds) apply,
 * with the inputs still checked by the schema. A path that was given must exist.
 */
export async function loadQualityConfig(
  inputs: QualityGateInputs,
  workspace: string,
): Promise<LoadedEnvironmentConfig> {
  const overrides = qualityOverrides(inputs);
  if (!inputs.configPath && !existsSync(resolve(workspace, defaultConfigPath(inputs.environment)))) {
    const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'quality-gate-defaults-'));
    const file = join(dir, 'defaults.yml');
    writeFileSync(file, `environment:\n  name: ${JSON.stringify(inputs.environment)}\n`);
    const loaded = await loadEnvironmentConfig({
      environment: inputs.environment,
      path: file,
      workspace,
      overrides,
    });
    return { ...loaded, files: [] };
  }
  return loadEnvironmentConfig({
    environment: inputs.environment,
    path: inputs.configPath,
    workspace,
    overrides,
  });
}
