import type pg from 'pg';
import { UserError } from '../../shared/errors.js';
import { backoffDelay, sleep } from '../../shared/retry.js';
import { type Analysis, analyzeWith, type LintFinding, MigrationFileError } from './analyze.js';
import { compareVersions, lineColumn, type MigrationFile, type MigrationSet } from './files.js';
import { type HistoryRow, insertSql, qualified, type RowType, type TableName } from './history.js';
import { loadParser } from './parser.js';

/**
 * Compares the files with the history (validate), works out what is pending (plan) and applies
 * it (apply): each transactional file in its own transaction with SET LOCAL timeouts, each file
 * that cannot run in a transaction statement by statement with its progress recorded.
 */

export interface AppliedState {
  version: string;
  checksum: string | null;
  script: string;
  type: RowType;
  undoScript: string | null;
  undoChecksum: string | null;
  description: string;
}

export interface PartialState {
  version: string;
  checksum: string | null;
  statementsDone: number;
  script: string;
  error: string | null;
}

export interface DatabaseState {
  applied: Map<string, AppliedState>;
  /** A file run statement by statement that stopped part-way. */
  partial: Map<string, PartialState>;
  baseline?: string;
  repeatable: Map<string, string | null>;
  /** Highest applied version (baseline included). */
  current?: string;
}

export function databaseState(rows: readonly HistoryRow[]): DatabaseState {
  const applied = new Map<string, AppliedState>();
  const partial = new Map<string, PartialState>();
  const repeatable = new Map<string, string | null>();
  let baseline: string | undefined;
  for (const row of rows) {
    if (row.type === 'REPEATABLE') {
      if (row.success) repeatable.set(row.script, row.checksum);
      continue;
    }
    if (!row.version) continue;
    if (row.type === 'BASELINE' && row.success) {
      baseline = row.version;
      continue;
    }
    if (row.type === 'UNDO') {
      if (row.success) {
        applied.delete(row.version);
        partial.delete(row.version);
      }
      continue;
    }
    if (row.success) {
      applied.set(row.version, {
        version: row.version,
        checksum: row.checksum,
        script: row.script,
        type: row.type,
        undoScript: row.undo_script,
        undoChecksum: row.undo_checksum,
        description: row.description,
      });
      partial.delete(row.version);
    } else if (row.type === 'SQL_NO_TX' && (row.statements_done ?? 0) > 0 && !applied.has(row.version)) {
      // (A failed statement-by-statement undo of an applied version is not a partial migration.)
      partial.set(row.version, {
        version: row.version,
        checksum: row.checksum,
        statementsDone: row.statements_done ?? 0,
        script: row.script,
        error: row.error,
      });
    }
  }
  const versions = [...applied.keys(), ...(baseline ? [baseline] : [])].sort(compareVersions);
  return {
    applied,
    partial,
    repeatable,
    ...(baseline ? { baseline } : {}),
    ...(versions.length ? { current: versions.at(-1)! } : {}),
  };
}

export interface ValidationProblem {
  kind: 'checksum-drift' | 'missing-file' | 'out-of-order' | 'partial-changed';
  message: string;
  file?: string;
}

export function validate(
  set: MigrationSet,
  state: DatabaseState,
  options: { outOfOrder: boolean },
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const byVersion = new Map(set.versioned.map((f) => [f.version!, f]));
  for (const [version, applied] of state.applied) {
    const file = byVersion.get(version);
    if (!file) {
      problems.push({
        kind: 'missing-file',
        message: `version ${version} (${applied.script}) is applied but its file is no longer in the migrations directory`,
      });
      continue;
    }
    if (applied.checksum && applied.checksum !== file.checksum) {
      problems.push({
        kind: 'checksum-drift',
        file: file.file,
        message: `${file.file} changed after it was applied: checksum ${file.checksum} on disk, ${applied.checksum} when applied${applied.type === 'ADOPTED' ? ' (Flyway)' : ''}. Restore the file and put the change in a new migration`,
      });
    }
  }
  for (const [version, part] of state.partial) {
    const file = byVersion.get(version);
    if (file && part.checksum && part.checksum !== file.checksum) {
      problems.push({
        kind: 'partial-changed',
        file: file.file,
        message: `${file.file} stopped after ${part.statementsDone} statement(s) and has changed since (checksum ${file.checksum} on disk, ${part.checksum} when started); the remaining statements cannot be matched`,
      });
    }
  }
  const latest = [...state.applied.keys()].sort(compareVersions).at(-1);
  if (latest && !options.outOfOrder) {
    for (const file of pending(set, state)) {
      if (compareVersions(file.version!, latest) < 0) {
        problems.push({
          kind: 'out-of-order',
          file: file.file,
          message: `${file.file} (version ${file.version}) is pending but older than the latest applied version ${latest}; set out-of-order: true to apply it anyway`,
        });
      }
    }
  }
  return problems;
}

/** Versioned files not yet applied (and not covered by the baseline), oldest first. */
export function pending(set: MigrationSet, state: DatabaseState): MigrationFile[] {
  return set.versioned.filter(
    (f) =>
      !state.applied.has(f.version!) && !(state.baseline && compareVersions(f.version!, state.baseline) <= 0),
  );
}

export function pendingRepeatable(set: MigrationSet, state: DatabaseState): MigrationFile[] {
  return set.repeatable.filter((f) => state.repeatable.get(f.script) !== f.checksum);
}

export interface PlannedMigration {
  file: MigrationFile;
  analysis: Analysis;
  /** Statements already run by an earlier attempt (non-transactional files). */
  resumeFrom: number;
}

/** Parses every file; all syntax and waiver errors are reported at once, before anything runs. */
export async function analyzeAll(
  files: readonly MigrationFile[],
  serverVersion: number,
): Promise<Map<MigrationFile, Analysis>> {
  const wasm = await loadParser();
  const out = new Map<MigrationFile, Analysis>();
  const errors: string[] = [];
  for (const file of files) {
    try {
      out.set(file, analyzeWith(wasm, file, { serverVersion }));
    } catch (error) {
      if (error instanceof MigrationFileError) errors.push(error.message);
      else throw error;
    }
    if (file.undo) {
      try {
        analyzeWith(
          wasm,
          { ...file, file: file.undo.file, text: file.undo.text, checksum: file.undo.checksum },
          {
            serverVersion,
          },
        );
      } catch (error) {
        if (error instanceof MigrationFileError) errors.push(error.message);
        else throw error;
      }
    }
  }
  if (errors.length) {
    throw new MigrationSyntaxError(errors);
  }
  return out;
}

export class MigrationSyntaxError extends UserError {
  override readonly name = 'MigrationSyntaxError';
  constructor(readonly problems: string[]) {
    super(`${problems.length} migration file problem(s); nothing was applied:\n${problems.join('\n')}`);
  }
}

export interface RunSettings {
  history: TableName;
  lockTimeoutMs: number;
  statementTimeoutMs?: number | undefined;
  /** Retries of a transactional file that hit lock_timeout (55P03). */
  lockRetries: number;
  retryBaseMs: number;
  runUrl?: string | undefined;
  commitSha?: string | undefined;
  environment?: string | undefined;
  signal?: AbortSignal | undefined;
  log?: (message: string) => void;
}

export interface ApplyResult {
  version?: string;
  script: string;
  file: string;
  checksum: string;
  executionMs: number;
  transactional: boolean;
  attempts: number;
  statements: number;
  waivers: { rule: string; reason: string }[];
  findings: LintFinding[];
  resumedFrom?: number;
}

/** A migration that failed: what happened, where, and what the database looks like now. */
export class MigrationFailedError extends UserError {
  override readonly name = 'MigrationFailedError';
  constructor(
    message: string,
    readonly result: Omit<ApplyResult, 'executionMs'> & { executionMs: number; error: string; code?: string },
  ) {
    super(message);
  }
}

function ms(value: number): string {
  return `'${Math.max(0, Math.round(value))}ms'`;
}

/** SET [LOCAL] lock_timeout, and statement_timeout when one is set (else the role's own stays). */
export function timeoutSql(settings: RunSettings, local: 'LOCAL ' | ''): string {
  const parts = [`SET ${local}lock_timeout = ${ms(settings.lockTimeoutMs)}`];
  if (settings.statementTimeoutMs !== undefined)
    parts.push(`SET ${local}statement_timeout = ${ms(settings.statementTimeoutMs)}`);
  return parts.join('; ');
}

function pgErrorText(error: unknown): { text: string; code?: string; position?: number } {
  const e = error as { message?: string; code?: string; position?: string; detail?: string; hint?: string };
  const parts = [e.message ?? String(error)];
  if (e.detail) parts.push(`DETAIL: ${e.detail}`);
  if (e.hint) parts.push(`HINT: ${e.hint}`);
  return {
    text: parts.join(' '),
    ...(e.code ? { code: e.code } : {}),
    ...(e.position ? { position: Number(e.position) } : {}),
  };
}

/** Runs one transactional file: BEGIN, SET LOCAL timeouts, its statements, the history row, COMMIT. */
export async function applyTransactional(
  client: pg.Client,
  plan: PlannedMigration,
  settings: RunSettings,
  rowType: 'SQL' | 'REPEATABLE' = 'SQL',
): Promise<ApplyResult> {
  const { file, analysis } = plan;
  let attempt = 0;
  for (;;) {
    attempt++;
    const started = performance.now();
    let current: (typeof analysis.statements)[number] | undefined;
    let offset = 0;
    try {
      // Round trips are the cost of a small migration: BEGIN and the timeouts travel with the
      // first statement, the history row and COMMIT with the last (a simple query runs them in
      // order and stops at the first error). Each statement still goes on its own otherwise, so
      // a failure is attributed to its statement.
      const prefix = `BEGIN; ${timeoutSql(settings, 'LOCAL ')};\n`;
      const suffix = `\n;${insertSql(client, settings.history, {
        version: file.version ?? null,
        description: file.description,
        type: rowType,
        script: file.script,
        checksum: file.checksum,
        executionTime: 0,
        executionTimeSql: '(extract(epoch FROM clock_timestamp() - now()) * 1000)::int',
        success: true,
        runUrl: settings.runUrl,
        commitSha: settings.commitSha,
        environment: settings.environment,
        undoScript: file.undo?.text,
        undoChecksum: file.undo?.checksum,
      })}; COMMIT`;
      const statements = analysis.statements;
      if (statements.length === 0) await client.query(`${prefix}SELECT 1${suffix}`);
      for (let i = 0; i < statements.length; i++) {
        current = statements[i]!;
        offset = i === 0 ? prefix.length : 0;
        const text = `${i === 0 ? prefix : ''}${current.sql}${i === statements.length - 1 ? suffix : ''}`;
        await client.query(text);
      }
      current = undefined;
      const executionMs = performance.now() - started;
      return result(plan, executionMs, attempt, true);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const executionMs = performance.now() - started;
      const { text, code, position } = pgErrorText(error);
      if (code === '55P03' && attempt <= settings.lockRetries && !settings.signal?.aborted) {
        const delay = backoffDelay(attempt, settings.retryBaseMs, 30_000, Math.random);
        settings.log?.(
          `${file.file}: lock_timeout (${settings.lockTimeoutMs} ms) reached waiting for a lock; rolled back, retrying in ${delay} ms (attempt ${attempt + 1} of ${settings.lockRetries + 1})`,
        );
        await sleep(delay, settings.signal).catch(() => {});
        continue;
      }
      const where = locate(file, current, position !== undefined ? position - offset : undefined);
      await recordFailure(client, settings, file, rowType, executionMs, text, 0).catch(() => {});
      throw new MigrationFailedError(
        `${where}: ${text}${code ? ` (SQLSTATE ${code})` : ''}. The migration was rolled back: the database is as it was before ${file.script}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`,
        { ...result(plan, executionMs, attempt, true), error: text, ...(code ? { code } : {}) },
      );
    }
  }
}

/** Runs a file that cannot run in a transaction, statement by statement, resuming where it stopped. */
export async function applyStatementByStatement(
  client: pg.Client,
  plan: PlannedMigration,
  settings: RunSettings,
): Promise<ApplyResult> {
  const { file, analysis } = plan;
  const started = performance.now();
  await client.query(timeoutSql(settings, ''));
  const row = await client.query<{ installed_rank: number }>(
    insertSql(
      client,
      settings.history,
      {
        version: file.version ?? null,
        description: file.description,
        type: 'SQL_NO_TX',
        script: file.script,
        checksum: file.checksum,
        executionTime: 0,
        success: false,
        runUrl: settings.runUrl,
        commitSha: settings.commitSha,
        environment: settings.environment,
        undoScript: file.undo?.text,
        undoChecksum: file.undo?.checksum,
        statementsDone: plan.resumeFrom,
        error: 'in progress',
      },
      true,
    ),
  );
  const rank = row.rows[0]!.installed_rank;
  const table = qualified(settings.history);
  let done = plan.resumeFrom;
  if (done > 0)
    settings.log?.(`${file.file}: resuming after statement ${done} of ${analysis.statements.length}`);
  try {
    for (const statement of analysis.statements.slice(done)) {
      let attempt = 0;
      for (;;) {
        attempt++;
        try {
          await client.query(statement.sql);
          break;
        } catch (error) {
          const { code } = pgErrorText(error);
          // A statement that did not take its lock changed nothing; it is safe to run again.
          if (code === '55P03' && attempt <= settings.lockRetries && !settings.signal?.aborted) {
            const delay = backoffDelay(attempt, settings.retryBaseMs, 30_000, Math.random);
            settings.log?.(`${file.file}:${statement.line}: lock_timeout; retrying in ${delay} ms`);
            await sleep(delay, settings.signal).catch(() => {});
            continue;
          }
          throw Object.assign(error as object, { statement });
        }
      }
      done++;
      await client.query(`UPDATE ${table} SET statements_done = $1 WHERE installed_rank = $2`, [done, rank]);
    }
    const executionMs = performance.now() - started;
    await client.query(
      `UPDATE ${table} SET success = true, error = NULL, execution_time = $1, statements_done = $2 WHERE installed_rank = $3`,
      [Math.round(executionMs), done, rank],
    );
    return result(plan, executionMs, 1, false);
  } catch (error) {
    const executionMs = performance.now() - started;
    const { text, code, position } = pgErrorText(error);
    const statement = (error as { statement?: (typeof analysis.statements)[number] }).statement;
    await client
      .query(
        `UPDATE ${table} SET error = $1, execution_time = $2, statements_done = $3 WHERE installed_rank = $4`,
        [text, Math.round(executionMs), done, rank],
      )
      .catch(() => {});
    const hint =
      statement?.type === 'IndexStmt' && statement.nonTransactional
        ? ' A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: drop it (DROP INDEX CONCURRENTLY) before the next run.'
        : '';
    throw new MigrationFailedError(
      `${locate(file, statement, position)}: ${text}${code ? ` (SQLSTATE ${code})` : ''}. ${file.script} runs outside a transaction: ${done} of ${analysis.statements.length} statement(s) completed and are recorded; the next run resumes at statement ${done + 1}.${hint}`,
      { ...result(plan, executionMs, 1, false), error: text, ...(code ? { code } : {}) },
    );
  } finally {
    await client
      .query(
        `RESET lock_timeout${settings.statementTimeoutMs !== undefined ? '; RESET statement_timeout' : ''}`,
      )
      .catch(() => {});
  }
}

function locate(
  file: MigrationFile,
  statement: { line: number; column: number; sql: string } | undefined,
  position: number | undefined,
): string {
  if (!statement) return file.file;
  if (position && position > 0 && position <= statement.sql.length) {
    // The server's position counts characters within the statement sent.
    const inner = lineColumn(statement.sql, position - 1);
    const line = statement.line + inner.line - 1;
    const column = inner.line === 1 ? statement.column + inner.column - 1 : inner.column;
    return `${file.file}:${line}:${column}`;
  }
  return `${file.file}:${statement.line}:${statement.column}`;
}

async function recordFailure(
  client: pg.Client,
  settings: RunSettings,
  file: MigrationFile,
  type: RowType,
  executionMs: number,
  error: string,
  statementsDone: number,
): Promise<void> {
  await client.query(
    insertSql(client, settings.history, {
      version: file.version ?? null,
      description: file.description,
      type,
      script: file.script,
      checksum: file.checksum,
      executionTime: executionMs,
      success: false,
      runUrl: settings.runUrl,
      commitSha: settings.commitSha,
      environment: settings.environment,
      statementsDone,
      error,
    }),
  );
}

function result(
  plan: PlannedMigration,
  executionMs: number,
  attempts: number,
  transactional: boolean,
): ApplyResult {
  return {
    ...(plan.file.version ? { version: plan.file.version } : {}),
    script: plan.file.script,
    file: plan.file.file,
    checksum: plan.file.checksum,
    executionMs: Math.round(executionMs),
    transactional,
    attempts,
    statements: plan.analysis.statements.length,
    waivers: plan.analysis.waivers.map((w) => ({ rule: w.rule, reason: w.reason })),
    findings: plan.analysis.findings,
    ...(plan.resumeFrom ? { resumedFrom: plan.resumeFrom } : {}),
  };
}

export async function applyOne(
  client: pg.Client,
  plan: PlannedMigration,
  settings: RunSettings,
): Promise<ApplyResult> {
  if (plan.file.kind === 'repeatable') {
    if (!plan.analysis.transactional)
      throw new UserError(`${plan.file.file}: a repeatable migration must be able to run in a transaction`);
    return applyTransactional(client, plan, settings, 'REPEATABLE');
  }
  return plan.analysis.transactional
    ? applyTransactional(client, plan, settings)
    : applyStatementByStatement(client, plan, settings);
}
