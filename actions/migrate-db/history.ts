import type pg from 'pg';
import { UserError } from '../../shared/errors.js';

/**
 * The history table (default `deploy_schema_history`): one row per attempt, Flyway's columns
 * plus where it came from (run URL, commit, environment), the stored undo script, and progress
 * for files run statement by statement. What is applied is read from the last row per version.
 */

export type RowType = 'SQL' | 'SQL_NO_TX' | 'REPEATABLE' | 'BASELINE' | 'UNDO' | 'ADOPTED';

export interface HistoryRow {
  installed_rank: number;
  version: string | null;
  description: string;
  type: RowType;
  script: string;
  checksum: string | null;
  installed_by: string;
  installed_on: Date;
  execution_time: number;
  success: boolean;
  run_url: string | null;
  commit_sha: string | null;
  environment: string | null;
  undo_script: string | null;
  undo_checksum: string | null;
  statements_done: number | null;
  error: string | null;
}

export interface TableName {
  schema?: string;
  table: string;
}

export function parseTableName(raw: string): TableName {
  const parts = raw.split('.');
  const ok = (p: string) => /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(p);
  if (parts.length > 2 || !parts.every(ok)) {
    throw new UserError(
      `history table "${raw}": expected a name such as deploy_schema_history or myschema.deploy_schema_history`,
    );
  }
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { table: parts[0]! };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(name: TableName): string {
  return name.schema ? `${quoteIdent(name.schema)}.${quoteIdent(name.table)}` : quoteIdent(name.table);
}

export async function historyExists(client: pg.Client, name: TableName): Promise<boolean> {
  const result = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
    qualified(name),
  ]);
  return result.rows[0]?.exists ?? false;
}

export async function ensureHistory(client: pg.Client, name: TableName): Promise<void> {
  if (await historyExists(client, name)) return;
  if (name.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name.schema)}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(name)} (
    installed_rank bigserial PRIMARY KEY,
    version text,
    description text NOT NULL,
    type text NOT NULL,
    script text NOT NULL,
    checksum text,
    installed_by text NOT NULL DEFAULT current_user,
    installed_on timestamptz NOT NULL DEFAULT now(),
    execution_time integer NOT NULL DEFAULT 0,
    success boolean NOT NULL,
    run_url text,
    commit_sha text,
    environment text,
    undo_script text,
    undo_checksum text,
    statements_done integer,
    error text
  )`);
  await client.query(
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${name.table}_version_idx`)} ON ${qualified(name)} (version)`,
  );
}

export async function readHistory(client: pg.Client, name: TableName): Promise<HistoryRow[]> {
  if (!(await historyExists(client, name))) return [];
  const result = await client.query<HistoryRow>(
    `SELECT installed_rank::int AS installed_rank, version, description, type, script, checksum, installed_by,
            installed_on, execution_time, success, run_url, commit_sha, environment, undo_script,
            undo_checksum, statements_done, error
       FROM ${qualified(name)} ORDER BY installed_rank`,
  );
  return result.rows;
}

export interface NewRow {
  version: string | null;
  description: string;
  type: RowType;
  script: string;
  checksum: string | null;
  executionTime: number;
  /** An SQL expression for execution_time instead (e.g. measured by the server). */
  executionTimeSql?: string;
  success: boolean;
  runUrl?: string | undefined;
  commitSha?: string | undefined;
  environment?: string | undefined;
  undoScript?: string | undefined;
  undoChecksum?: string | undefined;
  statementsDone?: number | undefined;
  error?: string | undefined;
}

/** The INSERT as one literal statement, so it can share a round trip with COMMIT. */
export function insertSql(client: pg.Client, name: TableName, row: NewRow, returning = false): string {
  const lit = (v: string | number | boolean | null | undefined) =>
    v === null || v === undefined ? 'NULL' : typeof v === 'string' ? client.escapeLiteral(v) : String(v);
  return `INSERT INTO ${qualified(name)} (version, description, type, script, checksum, execution_time, success,
    run_url, commit_sha, environment, undo_script, undo_checksum, statements_done, error) VALUES (${[
      lit(row.version),
      lit(row.description),
      lit(row.type),
      lit(row.script),
      lit(row.checksum),
      row.executionTimeSql ?? lit(Math.round(row.executionTime)),
      lit(row.success),
      lit(row.runUrl),
      lit(row.commitSha),
      lit(row.environment),
      lit(row.undoScript),
      lit(row.undoChecksum),
      lit(row.statementsDone),
      lit(row.error),
    ].join(', ')})${returning ? ' RETURNING installed_rank::int AS installed_rank' : ''}`;
}
