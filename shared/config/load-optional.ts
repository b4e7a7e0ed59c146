import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  defaultConfigPath,
  environmentConfigSchema,
  type LoadedEnvironmentConfig,
  loadEnvironmentConfig,
} from './index.js';

/**
 * For actions that can run from inputs alone (notify, a CI build before any environment exists,
 * an ad-hoc canary check): when no config path is given and the environment has no config
 * file, the defaults apply. A path that was given must exist.
 */
export async function loadOptionalEnvironmentConfig(
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
