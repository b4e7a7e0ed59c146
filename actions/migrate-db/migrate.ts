import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as core from '@actions/core';
import type pg from 'pg';
import { type Annotation, emitAnnotations } from '../../shared/annotations.js';
import { type Audit, projectEvent, taskRunFinished, taskRunStarted } from '../../shared/audit/index.js';
import { openAuditFromConfig } from '../../shared/audit/open-from-config.js';
import {
  defaultConfigPath,
  type EnvironmentConfig,
  environmentConfigSchema,
  type LoadedEnvironmentConfig,
  loadEnvironmentConfig,
} from '../../shared/config/index.js';
import { errorMessage, UserError } from '../../shared/errors.js';
import { readRunContext } from '../../shared/run-context.js';
import { StepSummary } from '../../shared/summary.js';
import { type Analysis, analyzeWith, applySeverity, type LintFinding } from './analyze.js';
import { type BackupResult, runBackup } from './backup.js';
import { type ConnectionTarget, connect, describeTarget, resolveTarget } from './connect.js';
import {
  type ApplyResult,
  analyzeAll,
  applyOne,
  applyStatementByStatement,
  applyTransactional,
  type DatabaseState,
  databaseState,
  MigrationFailedError,
  type PlannedMigration,
  pending,
  pendingRepeatable,
  type RunSettings,
  type ValidationProblem,
  validate,
} from './engine.js';
import { compareVersions, type MigrationFile, type MigrationSet, readMigrations } from './files.js';
import { type Adoption, adoptFlyway, FLYWAY_TABLE, readFlywayHistory } from './flyway.js';
import {
  ensureHistory,
  historyExists,
  insertSql,
  parseTableName,
  qualified,
  readHistory,
  type TableName,
} from './history.js';
import type { Command, MigrateInputs } from './inputs.js';
import { acquireLock, lockKey, releaseLock } from './lock.js';
import { loadParser } from './parser.js';
import { type PlanReport, planMarkdown, writePlan } from './report.js';

export interface Settings {
  command: Command;
  dryRun: boolean;
  directory: string;
  history: TableName;
  historyName: string;
  lockTimeoutMs: number;
  statementTimeoutMs?: number | undefined;
  lockWaitMs: number;
  outOfOrder: boolean;
  lint: 'error' | 'warn' | 'off';
  backup: boolean;
  backupMode: 'schema' | 'data';
  backupPath: string;
  targetVersion?: string | undefined;
  planPath: string;
}

async function loadConfig(inputs: MigrateInputs, workspace: string): Promise<LoadedEnvironmentConfig> {
  if (!inputs.configPath && !existsSync(resolve(workspace, defaultConfigPath(inputs.environment)))) {
    return {
      environment: inputs.environment,
      config: environmentConfigSchema.parse({ environment: { name: inputs.environment } }),
      secretPaths: {},
      overriddenPaths: {},
      interpolatedPaths: {},
      files: [],
    };
  }
  return loadEnvironmentConfig({ environment: inputs.environment, path: inputs.configPath, workspace });
}

export function resolveSettings(
  inputs: MigrateInputs,
  config: EnvironmentConfig,
  workspace: string,
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  const m = config.database.migrations;
  const temp = env.RUNNER_TEMP ?? workspace;
  const envName = (config.environment.name || inputs.environment).toLowerCase();
  const lint =
    inputs.lint !== 'auto'
      ? inputs.lint
      : (m.lint ?? (envName === 'production' || envName === 'prod' ? 'error' : 'warn'));
  const backup =
    inputs.backup === 'true'
      ? true
      : inputs.backup === 'false'
        ? false
        : config.deployment.backupBeforeDeploy;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const chosenBackup = inputs.backupPath ?? m.backup.path;
  const backupPath = chosenBackup
    ? isAbsolute(chosenBackup)
      ? chosenBackup
      : resolve(workspace, chosenBackup)
    : join(temp, `migrate-db-backup-${inputs.environment}-${stamp}.dump`);
  const historyName = inputs.historyTable ?? m.historyTable;
  const dir = inputs.migrationsDir ?? m.directory;
  return {
    command: inputs.command,
    dryRun: inputs.dryRun || inputs.command === 'plan',
    directory: isAbsolute(dir) ? dir : resolve(workspace, dir),
    history: parseTableName(historyName),
    historyName,
    lockTimeoutMs: inputs.lockTimeoutMs ?? m.lockTimeout,
    statementTimeoutMs: inputs.statementTimeoutMs ?? m.statementTimeout,
    lockWaitMs: inputs.lockWaitMs ?? m.lockWait,
    outOfOrder: inputs.outOfOrder ?? m.outOfOrder,
    lint,
    backup,
    backupMode: m.backup.mode,
    backupPath,
    targetVersion: inputs.targetVersion,
    planPath: join(temp, 'migrate-db-plan.json'),
  };
}

export interface MigrateOutcome {
  applied: ApplyResult[];
  reverted: string[];
  current?: string | undefined;
  previous?: string | undefined;
  findings: LintFinding[];
  backup?: BackupResult;
  planPath: string;
}

interface ServerInfo {
  version: number;
  database: string;
  schema: string;
}

async function serverInfo(client: pg.Client): Promise<ServerInfo> {
  const r = await client.query<{ v: string; db: string; schema: string | null }>(
    "SELECT current_setting('server_version_num') AS v, current_database() AS db, current_schema() AS schema",
  );
  const row = r.rows[0]!;
  return { version: Number(row.v), database: row.db, schema: row.schema ?? 'public' };
}

export async function migrate(inputs: MigrateInputs, signal: AbortSignal): Promise<MigrateOutcome> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const context = readRunContext();
  const loaded = await loadConfig(inputs, workspace);
  const { config } = loaded;
  const settings = resolveSettings(inputs, config, workspace);
  const target = resolveTarget(inputs.databaseUrl, config);

  // File names are checked before connecting; the pending files' syntax (file:line:column from
  // the parser) and waivers once the history says which are pending, all before anything runs.
  const set = readMigrations(settings.directory, workspace);

  const audit = openAuditFromConfig({
    config,
    action: 'migrate-db',
    environment: inputs.environment,
    fileInput: inputs.auditLog,
  });
  core.setOutput('audit-log', audit.file);
  await audit.emit((scope) =>
    taskRunStarted(scope, {
      details: {
        command: settings.command,
        dryRun: settings.dryRun,
        database: `${target.host}:${target.port}/${target.database}`,
        historyTable: settings.historyName,
        migrations: set.versioned.length + set.repeatable.length,
      },
    }),
  );

  let outcome: MigrateOutcome | undefined;
  try {
    outcome = await run(inputs, settings, target, set, audit, context.runUrl, context.sha, signal);
    await audit.emit((scope) => taskRunFinished(scope, { outcome: 'success' }));
    return outcome;
  } catch (error) {
    await audit
      .emit((scope) =>
        taskRunFinished(scope, {
          outcome: signal.aborted ? 'cancel' : 'failure',
          reason: errorMessage(error).slice(0, 2000),
        }),
      )
      .catch(() => {});
    throw error;
  } finally {
    await audit.close();
  }
}

async function run(
  inputs: MigrateInputs,
  settings: Settings,
  target: ConnectionTarget,
  set: MigrationSet,
  audit: Audit,
  runUrl: string | undefined,
  commitSha: string | undefined,
  signal: AbortSignal,
): Promise<MigrateOutcome> {
  core.info(`Connecting to ${describeTarget(target)} (sslmode ${target.sslMode})`);
  const client = await connect(target, { applicationName: `migrate-db ${settings.command}` });
  let lockClient: pg.Client | undefined;
  let key: bigint | undefined;
  const summary = new StepSummary();
  try {
    const server = await serverInfo(client);
    const historySchema = settings.history.schema ?? server.schema;
    let rows = await readHistory(client, settings.history);
    // No history of our own but a Flyway one: adopt it (CRC32s checked against the files).
    let adoption: Adoption | undefined;
    if (rows.length === 0 && !(await historyExists(client, settings.history))) {
      const flyway = await readFlywayHistory(client, settings.history.schema);
      if (flyway?.length) {
        adoption = adoptFlyway(set, flyway);
        rows = adoption.rows;
        core.info(
          `No ${settings.historyName} yet; adopting ${FLYWAY_TABLE}: ${adoption.rows.length} row(s) verified against the files${adoption.problems.length ? `, ${adoption.problems.length} problem(s)` : ''}`,
        );
      }
    }
    let state = databaseState(rows);
    // Only what is pending is parsed: applied files were parsed when they ran, and their
    // checksums prove they have not changed. (Parsing everything would also make V8 tier up the
    // parser's hot functions in the background, which a short run then waits for at exit.)
    const analyses = await analyzeAll(
      [...pending(set, state), ...pendingRepeatable(set, state)],
      server.version,
    );
    const previous = state.current;
    const problems = [
      ...(adoption?.problems ?? []),
      ...validate(set, state, { outOfOrder: settings.outOfOrder }),
    ];
    let report = buildPlan(set, state, analyses, settings, problems);
    writePlan(settings.planPath, report);
    core.setOutput('plan', settings.planPath);
    core.setOutput('lint-findings', JSON.stringify(report.findings.map(findingOutput)));
    core.setOutput('previous-version', previous ?? '');
    core.setOutput('current-version', previous ?? '');
    core.setOutput('applied', '0');
    core.setOutput('applied-versions', '[]');
    emitFindingAnnotations(report.findings);
    summary.add(planMarkdown(report, settings));

    const base: MigrateOutcome = {
      applied: [],
      reverted: [],
      previous,
      current: previous,
      findings: report.findings,
      planPath: settings.planPath,
    };
    if (problems.length) {
      throw new UserError(
        `validation failed; nothing was applied:\n${problems.map((p) => p.message).join('\n')}`,
      );
    }
    if (settings.command === 'validate') {
      core.info(
        `Validated ${state.applied.size} applied migration(s) against ${set.versioned.length} file(s): no drift. ${report.pending.length} pending.`,
      );
      return base;
    }
    if (settings.dryRun && settings.command !== 'down' && settings.command !== 'baseline') {
      core.info(
        `Plan: ${report.pending.length} pending migration(s); dry run, nothing applied. Plan written to ${settings.planPath}`,
      );
      return base;
    }
    const blocking = report.findings.filter((f) => f.severity === 'error');
    if (settings.command === 'migrate' && blocking.length) {
      throw new UserError(
        `lint: ${blocking.length} finding(s) block this migration in ${inputs.environment} (lint: ${settings.lint}); nothing was applied:\n${blocking
          .map(
            (f) =>
              `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message} (${f.lockLevel} lock). Instead: ${f.instead}. To accept it, add -- migrate-db:allow ${f.rule} <reason>`,
          )
          .join('\n')}`,
      );
    }

    // Down: every undo script must exist before anything changes.
    let downPlan: { version: string; file: MigrationFile; text: string; checksum: string; source: string }[] =
      [];
    if (settings.command === 'down') downPlan = planDown(set, state, settings.targetVersion!);
    if (settings.command === 'baseline' && state.applied.size > 0) {
      throw new UserError(
        `baseline: ${settings.historyName} already records ${state.applied.size} applied migration(s); a baseline only marks a database that has none`,
      );
    }
    if (settings.dryRun) {
      return base;
    }

    const nothingToDo =
      settings.command === 'migrate' && report.pending.length === 0 && report.repeatable.length === 0;
    let backup: BackupResult | undefined;
    if (settings.backup && !nothingToDo && settings.command !== 'baseline') {
      core.info(
        `Backing up ${target.database} (${settings.backupMode === 'schema' ? 'schema only' : 'schema and data'}) to ${settings.backupPath}`,
      );
      try {
        backup = await runBackup({
          target,
          path: settings.backupPath,
          mode: settings.backupMode,
          serverVersion: server.version,
          signal,
        });
      } catch (error) {
        await audit.emit((scope) =>
          projectEvent(scope, {
            thing: 'backup',
            verb: 'failed',
            subject: target.database,
            outcome: 'failure',
            reason: errorMessage(error).slice(0, 1000),
          }),
        );
        throw error;
      }
      core.setOutput('backup', backup.path);
      await audit.emit((scope) =>
        projectEvent(scope, {
          thing: 'backup',
          verb: 'created',
          subject: target.database,
          outcome: 'success',
          digest: `sha256:${backup!.sha256}`,
          checksums: { [backup!.path]: backup!.sha256 },
          details: {
            path: backup!.path,
            bytes: backup!.bytes,
            mode: backup!.mode,
            durationMs: backup!.durationMs,
            pgDump: backup!.pgDumpVersion,
          },
        }),
      );
      core.info(`Backup written: ${backup.bytes} bytes, sha256 ${backup.sha256}`);
    }
    if (nothingToDo) {
      core.info(`Database is up to date at version ${previous ?? '(none)'}; nothing to apply.`);
      return base;
    }

    // The lock: on a connection of its own, polled, so waiting never holds a snapshot.
    lockClient = await connect(target, { applicationName: 'migrate-db lock' });
    key = lockKey(server.database, historySchema, settings.history.table);
    const waited = await acquireLock(lockClient, key, {
      waitMs: settings.lockWaitMs,
      signal,
      log: (m) => core.info(m),
    });
    if (waited > 1000) core.info(`Got the migration lock after ${Math.round(waited / 1000)} s`);
    const created = !(await historyExists(client, settings.history));
    await ensureHistory(client, settings.history);
    if (created && adoption) await recordAdoption(client, set, settings, audit);
    // Another run may have applied migrations while this one waited: read again, inside the lock.
    state = databaseState(await readHistory(client, settings.history));
    const again = validate(set, state, { outOfOrder: settings.outOfOrder });
    if (again.length) {
      throw new UserError(
        `validation failed; nothing was applied:\n${again.map((p) => p.message).join('\n')}`,
      );
    }
    report = buildPlan(set, state, analyses, settings, again, await loadParser(), server.version);
    const runSettings: RunSettings = {
      history: settings.history,
      lockTimeoutMs: settings.lockTimeoutMs,
      statementTimeoutMs: settings.statementTimeoutMs,
      lockRetries: 4,
      retryBaseMs: 500,
      runUrl,
      commitSha,
      environment: inputs.environment,
      signal,
      log: (m) => core.warning(m),
    };

    const outcome: MigrateOutcome = { ...base, ...(backup ? { backup } : {}) };
    if (settings.command === 'baseline') {
      await client.query(
        insertSql(client, settings.history, {
          version: settings.targetVersion!,
          description: '<< baseline >>',
          type: 'BASELINE',
          script: '<< baseline >>',
          checksum: null,
          executionTime: 0,
          success: true,
          runUrl,
          commitSha,
          environment: inputs.environment,
        }),
      );
      await audit.emit((scope) =>
        projectEvent(scope, {
          thing: 'migration',
          verb: 'baselined',
          subject: settings.targetVersion!,
          version: settings.targetVersion!,
          outcome: 'success',
        }),
      );
      outcome.current = settings.targetVersion!;
      core.info(`Baselined ${target.database} at version ${settings.targetVersion}`);
    } else if (settings.command === 'down') {
      downPlan = planDown(set, state, settings.targetVersion!);
      const wasm = await loadParser();
      for (const step of downPlan) {
        if (signal.aborted)
          throw new UserError('cancelled before the next undo script; the history is consistent');
        const undoFile: MigrationFile = {
          ...step.file,
          file: step.source,
          text: step.text,
          checksum: step.checksum,
        };
        const analysis = analyzeWith(wasm, undoFile, { serverVersion: server.version });
        const plan: PlannedMigration = { file: undoFile, analysis, resumeFrom: 0 };
        const started = performance.now();
        try {
          if (analysis.transactional) {
            // applyTransactional records an SQL row; undo rows are written here instead.
            await applyUndoTransactional(client, plan, runSettings, step.version);
          } else {
            await applyStatementByStatement(client, plan, { ...runSettings });
            await markLastRowUndo(client, settings.history);
          }
        } catch (error) {
          await audit.emit((scope) =>
            projectEvent(scope, {
              thing: 'migration',
              verb: 'revert-failed',
              subject: step.version,
              version: step.version,
              outcome: 'failure',
              reason: errorMessage(error).slice(0, 1000),
              checksums: { [step.source]: step.checksum },
            }),
          );
          throw error;
        }
        const executionMs = Math.round(performance.now() - started);
        outcome.reverted.push(step.version);
        core.info(`Reverted ${step.version} with ${step.source} (${executionMs} ms)`);
        await audit.emit((scope) =>
          projectEvent(scope, {
            thing: 'migration',
            verb: 'reverted',
            subject: step.version,
            version: step.version,
            outcome: 'success',
            checksums: { [step.source]: step.checksum },
            details: { executionMs, transactional: analysis.transactional },
          }),
        );
      }
      state = databaseState(await readHistory(client, settings.history));
      outcome.current = state.current;
    } else {
      const queue: PlannedMigration[] = [...report.pending, ...report.repeatable];
      for (const plan of queue) {
        if (signal.aborted)
          throw new UserError('cancelled between migrations; the history records what was applied');
        let result: ApplyResult;
        try {
          core.info(
            `Applying ${plan.file.file}${plan.analysis.transactional ? '' : ' statement by statement (no transaction)'}`,
          );
          result = await applyOne(client, plan, runSettings);
        } catch (error) {
          const failed = error instanceof MigrationFailedError ? error.result : undefined;
          await audit.emit((scope) =>
            projectEvent(scope, {
              thing: 'migration',
              verb: 'failed',
              subject: plan.file.version ?? plan.file.script,
              ...(plan.file.version ? { version: plan.file.version } : {}),
              outcome: 'failure',
              reason: errorMessage(error).slice(0, 1000),
              checksums: { [plan.file.script]: plan.file.checksum },
              details: {
                script: plan.file.script,
                transactional: plan.analysis.transactional,
                executionMs: failed?.executionMs,
                attempts: failed?.attempts,
                sqlstate: failed?.code,
                waivers: plan.analysis.waivers.map((w) => ({ rule: w.rule, reason: w.reason })),
              },
            }),
          );
          if (outcome.applied.length) setApplied(outcome);
          throw error;
        }
        outcome.applied.push(result);
        if (result.version) outcome.current = maxVersion(outcome.current, result.version);
        core.info(`Applied ${plan.file.script} in ${result.executionMs} ms`);
        await audit.emit((scope) =>
          projectEvent(scope, {
            thing: 'migration',
            verb: 'applied',
            subject: result.version ?? result.script,
            ...(result.version ? { version: result.version } : {}),
            outcome: 'success',
            checksums: { [result.script]: result.checksum },
            details: {
              script: result.script,
              executionMs: result.executionMs,
              transactional: result.transactional,
              statements: result.statements,
              attempts: result.attempts,
              ...(result.resumedFrom ? { resumedFrom: result.resumedFrom } : {}),
              waivers: result.waivers,
              lintFindings: result.findings.map((f) => `${f.rule}@${f.line}:${f.severity}`),
            },
          }),
        );
      }
    }
    setApplied(outcome);
    core.setOutput('current-version', outcome.current ?? '');
    summary.add(resultMarkdown(outcome));
    return outcome;
  } finally {
    summary.write();
    if (lockClient) {
      if (key !== undefined) await releaseLock(lockClient, key).catch(() => {});
      await lockClient.end().catch(() => {});
    }
    await client.end().catch(() => {});
  }
}

/** Writes the verified Flyway rows as this tool's history, in one transaction, inside the lock. */
async function recordAdoption(
  client: pg.Client,
  set: MigrationSet,
  settings: Settings,
  audit: Audit,
): Promise<void> {
  const flyway = (await readFlywayHistory(client, settings.history.schema)) ?? [];
  const adoption = adoptFlyway(set, flyway);
  if (adoption.problems.length) {
    throw new UserError(
      `validation failed; nothing was applied:\n${adoption.problems.map((p) => p.message).join('\n')}`,
    );
  }
  await client.query('BEGIN');
  try {
    for (const row of adoption.rows) {
      await client.query(
        insertSql(client, settings.history, {
          version: row.version,
          description: row.description,
          type: row.type,
          script: row.script,
          checksum: row.checksum,
          executionTime: row.execution_time,
          success: true,
          undoScript: row.undo_script ?? undefined,
          undoChecksum: row.undo_checksum ?? undefined,
        }),
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  await audit.emit((scope) =>
    projectEvent(scope, {
      thing: 'history',
      verb: 'adopted',
      subject: FLYWAY_TABLE,
      outcome: 'success',
      checksums: Object.fromEntries(
        adoption.rows.filter((r) => r.checksum).map((r) => [r.script, r.checksum!]),
      ),
      details: { rows: adoption.rows.length, from: FLYWAY_TABLE, into: settings.historyName },
    }),
  );
  core.info(`Adopted ${adoption.rows.length} row(s) of ${FLYWAY_TABLE} into ${settings.historyName}`);
}

function maxVersion(a: string | undefined, b: string): string {
  return a && compareVersions(a, b) > 0 ? a : b;
}

function setApplied(outcome: MigrateOutcome): void {
  core.setOutput('applied', String(outcome.applied.length));
  core.setOutput('applied-versions', JSON.stringify(outcome.applied.map((r) => r.version ?? r.script)));
  core.setOutput('current-version', outcome.current ?? '');
}

function planDown(
  set: MigrationSet,
  state: DatabaseState,
  target: string,
): { version: string; file: MigrationFile; text: string; checksum: string; source: string }[] {
  const byVersion = new Map(set.versioned.map((f) => [f.version!, f]));
  const versions = [...state.applied.keys()]
    .filter((v) => compareVersions(v, target) > 0)
    .sort((a, b) => compareVersions(b, a));
  const missing: string[] = [];
  const steps = versions.flatMap((version) => {
    const applied = state.applied.get(version)!;
    const file = byVersion.get(version);
    if (file?.undo) {
      return [{ version, file, text: file.undo.text, checksum: file.undo.checksum, source: file.undo.file }];
    }
    if (applied.undoScript) {
      return [
        {
          version,
          file: file ?? {
            kind: 'versioned' as const,
            version,
            description: applied.description,
            script: applied.script,
            file: applied.script,
            text: '',
            checksum: applied.checksum ?? '',
          },
          text: applied.undoScript,
          checksum: applied.undoChecksum ?? '',
          source: `undo script of ${applied.script} (stored in the history)`,
        },
      ];
    }
    missing.push(`${version} (${applied.script})`);
    return [];
  });
  if (missing.length) {
    throw new UserError(
      `down to ${target}: no undo script for ${missing.join(', ')}; nothing was reverted. Add U<version>__<description>.sql (or rollbacks/NNN_name_rollback.sql)`,
    );
  }
  if (versions.length === 0) core.info(`Nothing to revert: no applied version above ${target}`);
  return steps;
}

async function applyUndoTransactional(
  client: pg.Client,
  plan: PlannedMigration,
  settings: RunSettings,
  version: string,
): Promise<void> {
  // Same transaction discipline as a migration; the history row says UNDO.
  await applyTransactional(client, { ...plan, file: { ...plan.file, version } }, settings, 'SQL');
  await markLastRowUndo(client, settings.history);
}

/** The row just written by the undo run becomes an UNDO row (it keeps its checksum and timing). */
async function markLastRowUndo(client: pg.Client, history: TableName): Promise<void> {
  const table = qualified(history);
  await client.query(
    `UPDATE ${table} SET type = 'UNDO', undo_script = NULL, undo_checksum = NULL WHERE installed_rank = (SELECT max(installed_rank) FROM ${table})`,
  );
}

function buildPlan(
  set: MigrationSet,
  state: DatabaseState,
  analyses: Map<MigrationFile, Analysis>,
  settings: Settings,
  problems: ValidationProblem[],
  parser?: Awaited<ReturnType<typeof loadParser>>,
  serverVersion = 0,
): PlanReport {
  const toPlan = (file: MigrationFile): PlannedMigration => {
    let analysis = analyses.get(file);
    if (!analysis) {
      // Pending now but not when the files were parsed (another run reverted it meanwhile).
      if (!parser)
        throw new UserError(`${file.file} became pending while this run waited for the lock; run again`);
      analysis = analyzeWith(parser, file, { serverVersion });
      analyses.set(file, analysis);
    }
    return toPlanned(file, analysis);
  };
  const toPlanned = (file: MigrationFile, analysis: Analysis): PlannedMigration => ({
    file,
    analysis: { ...analysis, findings: applySeverity(analysis.findings, settings.lint) },
    resumeFrom: file.version ? (state.partial.get(file.version)?.statementsDone ?? 0) : 0,
  });
  const pendingPlans = pending(set, state).map(toPlan);
  const repeatable = pendingRepeatable(set, state).map(toPlan);
  return {
    command: settings.command,
    dryRun: settings.dryRun,
    current: state.current,
    pending: pendingPlans,
    repeatable,
    findings: [...pendingPlans, ...repeatable].flatMap((p) => p.analysis.findings),
    problems,
    lint: settings.lint,
  };
}

function findingOutput(f: LintFinding) {
  return {
    rule: f.rule,
    file: f.file,
    line: f.line,
    column: f.column,
    lockLevel: f.lockLevel,
    severity: f.severity,
    message: f.message,
    ...(f.waiver ? { waiver: f.waiver } : {}),
  };
}

function emitFindingAnnotations(findings: LintFinding[]): void {
  const annotations: Annotation[] = findings
    .filter((f) => f.severity !== 'waived')
    .map((f) => ({
      level: f.severity === 'error' ? 'error' : 'warning',
      title: `migrate-db lint: ${f.rule}`,
      message: `${f.message} (${f.lockLevel} lock): ${f.why}. Instead: ${f.instead}.`,
      file: f.file,
      startLine: f.line,
      startColumn: f.column,
      rank: f.severity === 'error' ? 2 : 1,
    }));
  if (annotations.length) emitAnnotations(annotations);
}

function resultMarkdown(outcome: MigrateOutcome): string {
  const lines = ['### Result', ''];
  if (outcome.applied.length) {
    lines.push('| Version | Script | Mode | Time | Checksum |', '| --- | --- | --- | --- | --- |');
    for (const r of outcome.applied) {
      lines.push(
        `| ${r.version ?? 'R'} | ${r.script} | ${r.transactional ? 'transaction' : 'statement by statement'} | ${r.executionMs} ms | \`${r.checksum.slice(0, 12)}…\` |`,
      );
    }
  }
  if (outcome.reverted.length) lines.push(`Reverted: ${outcome.reverted.join(', ')}`);
  if (outcome.backup)
    lines.push(
      '',
      `Backup: \`${outcome.backup.path}\` (${outcome.backup.bytes} bytes, sha256 \`${outcome.backup.sha256}\`)`,
    );
  lines.push('', `Current version: ${outcome.current ?? '(none)'} (was ${outcome.previous ?? '(none)'})`);
  return `${lines.join('\n')}\n`;
}

export function ensureDir(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
}

export function writeJson(path: string, value: unknown): void {
  ensureDir(path);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
