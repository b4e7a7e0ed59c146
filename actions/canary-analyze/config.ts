import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  defaultConfigPath,
  environmentConfigSchema,
  type LoadedEnvironmentConfig,
  loadEnvironmentConfig,
} from '../../shared/config/index.js';

/**
 * canary-analyze can run from inputs alone: when no config path is given and the environment has no
 * config file, it uses the defaults. A path that was given must exist.
 */
export async function loadCanaryConfig(
  environment: string,
  configPath: string | undefined,
  workspace: string,
): Promise<LoadedEnvironmentConfig> {
  if (!configPath && !existsSync(resolve(workspace, defaultConfigPath(environment)))) {
    return {
      environment,
      config: environmentConfigSchema.parse({ environment: { name: environment } }),
      secretPaths: {},
      overriddenPaths: {},
      interpolatedPaths: {},
      files: [],
    };
  }
  return loadEnvironmentConfig({ environment, path: configPath, workspace });
}
