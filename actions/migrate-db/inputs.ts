import { UserError } from '../../shared/errors.js';
import { getBoolean, getDuration, getEnum, getString } from '../../shared/inputs.js';
import { registerSecret } from '../../shared/secrets.js';
import { normaliseVersion } from './files.js';

export const COMMANDS = ['migrate', 'plan', 'down', 'baseline', 'validate'] as const;
export type Command = (typeof COMMANDS)[number];

export interface MigrateInputs {
  environment: string;
  configPath?: string;
  databaseUrl?: string;
  migrationsDir?: string;
  command: Command;
  targetVersion?: string;
  dryRun: boolean;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  lockWaitMs?: number;
  outOfOrder?: boolean;
  backup: 'auto' | 'true' | 'false';
  backupPath?: string;
  historyTable?: string;
  lint: 'auto' | 'error' | 'warn' | 'off';
  auditLog?: string;
}

export function readInputs(): MigrateInputs {
  const databaseUrl = getString('database-url');
  if (databaseUrl) {
    registerSecret(databaseUrl);
    try {
      const password = new URL(databaseUrl).password;
      if (password) {
        registerSecret(password);
        registerSecret(decodeURIComponent(password));
      }
    } catch {
      // Reported with the connection settings.
    }
  }
  const command = getEnum('command', COMMANDS) ?? 'migrate';
  const rawTarget = getString('target-version');
  let targetVersion: string | undefined;
  if (rawTarget !== undefined) {
    if (!/^\d+([._]\d+)*$/.test(rawTarget)) {
      throw new UserError(
        `input "target-version": expected a version such as 3 or 2.1, got ${JSON.stringify(rawTarget)}`,
      );
    }
    targetVersion = normaliseVersion(rawTarget);
  }
  if ((command === 'down' || command === 'baseline') && targetVersion === undefined) {
    throw new UserError(`input "target-version" is required for command ${command}`);
  }
  const outOfOrder = getString('out-of-order') === undefined ? undefined : getBoolean('out-of-order', false);
  return {
    environment: getString('environment', { required: true }),
    configPath: getString('config'),
    databaseUrl,
    migrationsDir: getString('migrations-dir'),
    command,
    targetVersion,
    dryRun: getBoolean('dry-run', false),
    lockTimeoutMs: getDuration('lock-timeout'),
    statementTimeoutMs: getDuration('statement-timeout'),
    lockWaitMs: getDuration('lock-wait'),
    outOfOrder,
    backup: getEnum('backup', ['auto', 'true', 'false'] as const) ?? 'auto',
    backupPath: getString('backup-path'),
    historyTable: getString('history-table'),
    lint: getEnum('lint', ['auto', 'error', 'warn', 'off'] as const) ?? 'auto',
    auditLog: getString('audit-log'),
  };
}
