import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  defaultConfigPath,
  environmentConfigSchema,
  type LoadedEnvironmentConfig,
  loadEnvironmentConfig,
} from '../../shared/config/index.js';

/**
 * A CI build often runs before any environment exists, so the config file is optional: without
 * an explicit path and without the environment's file, the defaults apply. A given path must exist.
 */
export async function loadBuildConfig(
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
