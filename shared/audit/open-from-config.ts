import { isAbsolute, join, resolve } from 'node:path';
import type { EnvironmentConfig } from '../config/index.js';
import { SUITE_VERSION } from '../version.js';
import { type Audit, createAudit } from './audit.js';

/**
 * The audit log an action appends to: the action's input, else the config's `audit.file`,
 * else `$RUNNER_TEMP/deploy-audit.jsonl`, so every action of a job continues one chain.
 */
export function auditFilePath(
  config: EnvironmentConfig,
  input: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const chosen = input ?? config.audit.file;
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  if (chosen) return isAbsolute(chosen) ? chosen : resolve(workspace, chosen);
  return join(env.RUNNER_TEMP ?? workspace, 'deploy-audit.jsonl');
}

/** Opens the audit trail with the sinks and key the environment config asks for. */
export function openAuditFromConfig(options: {
  config: EnvironmentConfig;
  action: string;
  environment: string;
  fileInput?: string;
  environmentUrl?: string;
}): Audit {
  const { config } = options;
  return createAudit({
    file: auditFilePath(config, options.fileInput),
    action: { name: options.action, version: SUITE_VERSION },
    environment: options.environment,
    environmentUrl: options.environmentUrl,
    cluster: config.kubernetes?.context,
    namespace: config.kubernetes?.namespace,
    hmacKey: config.audit.hmacKey,
    // Each record reaches the kernel before the step goes on, which survives the runner killing
    // the process; the log is synced to disk when it is closed. A crash of the runner machine
    // loses its files anyway, and the HTTP sink is the off-machine copy, so syncing every record
    // would only slow steps that write many (a migration run writes one per file).
    durability: 'write',
    http: config.audit.http
      ? { url: config.audit.http.url, secret: config.audit.http.secret, required: config.audit.http.required }
      : undefined,
  });
}
