import path from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, type ConfigProblem, formatPath } from '../errors.js';
import { interpolateTree } from './interpolate.js';
import { applyOverrides, type ConfigOverrides } from './overrides.js';
import { ConfigFileMissing, readConfigChain } from './read-chain.js';
import { resolveSecrets } from './resolve-secrets.js';
import type { EnvironmentConfig } from './schema.js';
import { scalars } from './tree.js';
import { validateTree } from './validate.js';

export interface LoadEnvironmentConfigOptions {
  /** Environment name; picks `deploy/environments/<environment>.yml` unless `path` is given. */
  environment: string;
  /** Config file, relative to the workspace or absolute. */
  path?: string | undefined;
  /** Repository checkout (GITHUB_WORKSPACE); file names in messages are relative to it. */
  workspace: string;
  /** Variables for `${VAR}`; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Values from action inputs, by dotted config path. */
  overrides?: ConfigOverrides | undefined;
  /** Secrets Manager client; by default one configured from the environment, made only when needed. */
  secretsClient?: SecretsManagerClient | undefined;
}

export interface LoadedEnvironmentConfig {
  environment: string;
  config: EnvironmentConfig;
  /** Dotted path → `aws-sm://` reference, for every value resolved from Secrets Manager. */
  secretPaths: Record<string, string>;
  /** Dotted path → input name, for every value an action input set. */
  overriddenPaths: Record<string, string>;
  /** Dotted path → the text as written, for every value built from environment variables. */
  interpolatedPaths: Record<string, string>;
  /** Files read, bases first, relative to the workspace. */
  files: string[];
}

export const defaultConfigPath = (environment: string) => `deploy/environments/${environment}.yml`;

/**
 * Reads, merges, interpolates, overrides, validates and resolves the secrets of one
 * environment's config. Every problem found is reported at once in a ConfigError; nothing
 * outside this call is touched unless it succeeds, apart from masking the secrets it fetched.
 */
export async function loadEnvironmentConfig(
  options: LoadEnvironmentConfigOptions,
): Promise<LoadedEnvironmentConfig> {
  const { environment, workspace } = options;
  if (!options.path && !/^[A-Za-z0-9][\w.-]*$/.test(environment)) {
    throw new ConfigError([
      {
        path: '',
        message: `environment "${environment}" is not a valid name for a config file; set a config path`,
      },
    ]);
  }
  const file = path.resolve(workspace, options.path || defaultConfigPath(environment));
  const display = (name: string) => {
    const relative = path.relative(workspace, name);
    return relative.startsWith('..') || path.isAbsolute(relative) ? name : relative.split(path.sep).join('/');
  };

  let chain: Awaited<ReturnType<typeof readConfigChain>>;
  try {
    chain = await readConfigChain(file, display);
  } catch (error) {
    if (!(error instanceof ConfigFileMissing)) throw error;
    throw new ConfigError([
      {
        path: '',
        message: `no config for environment "${environment}": cannot read ${display(file)} (${error.message})`,
      },
    ]);
  }
  if (!chain.root) throw new ConfigError(sortProblems(chain.problems, chain.files));
  const root = chain.root;

  const applied = applyOverrides(root, options.overrides ?? {});
  const interpolation = interpolateTree(root, options.env ?? process.env);
  const validation = validateTree(root, interpolation.failed);
  const problems = [...interpolation.problems, ...applied.problems, ...validation.problems];
  if (problems.length > 0 || !validation.config) throw new ConfigError(sortProblems(problems, chain.files));

  const secrets = await resolveSecrets(
    validation.config,
    root,
    // The AWS SDK is loaded only when a config holds a secret reference: it is most of the
    // bundle, and most steps never need it.
    async () => options.secretsClient ?? (await (await import('./secrets-client.js')).createSecretsClient()),
  );
  if (secrets.problems.length > 0) throw new ConfigError(sortProblems(secrets.problems, chain.files));

  const interpolatedPaths: Record<string, string> = {};
  for (const [nodePath, node] of scalars(root)) {
    if (node.interpolated) interpolatedPaths[formatPath(nodePath)] = node.interpolated.template;
  }
  return {
    environment,
    config: secrets.config,
    secretPaths: secrets.secretPaths,
    overriddenPaths: applied.overridden,
    interpolatedPaths,
    files: chain.files,
  };
}

/** File order (bases first), then line and column; problems from inputs last. */
function sortProblems(problems: ConfigProblem[], files: readonly string[]): ConfigProblem[] {
  const rank = (p: ConfigProblem) => (p.position ? files.indexOf(p.position.file) : Number.MAX_SAFE_INTEGER);
  return [...problems].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.position?.line ?? 0) - (b.position?.line ?? 0) ||
      (a.position?.column ?? 0) - (b.position?.column ?? 0),
  );
}
