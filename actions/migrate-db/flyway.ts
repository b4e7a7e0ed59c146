import { crc32 } from 'node:zlib';
import type pg from 'pg';
import type { ValidationProblem } from './engine.js';
import { type MigrationSet, normaliseVersion } from './files.js';
import { type HistoryRow, quoteIdent, type RowType } from './history.js';

/**
 * Adopting an existing Flyway `flyway_schema_history`, so a team can switch without re-running
 * anything: each applied row's CRC32 is checked against the file as Flyway computes it, and the
 * verified rows become this tool's history (type ADOPTED, with the file's SHA-256).
 */

export const FLYWAY_TABLE = 'flyway_schema_history';

/** Flyway's checksum: CRC32 over the UTF-8 bytes of each line without its terminator (BOM dropped), as a signed int. */
export function flywayChecksum(text: string): number {
  let crc = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  // A final line terminator does not make an extra (empty) line in Java's BufferedReader.
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  for (const line of lines) crc = crc32(Buffer.from(line, 'utf8'), crc);
  return crc | 0;
}

interface FlywayRow {
  installed_rank: number;
  version: string | null;
  description: string;
  type: string;
  script: string;
  checksum: number | null;
  installed_by: string;
  installed_on: Date;
  execution_time: number;
  success: boolean;
}

export async function readFlywayHistory(
  client: pg.Client,
  schema: string | undefined,
): Promise<FlywayRow[] | undefined> {
  const name = schema ? `${quoteIdent(schema)}.${FLYWAY_TABLE}` : FLYWAY_TABLE;
  const exists = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [name]);
  if (!exists.rows[0]?.ok) return undefined;
  const result = await client.query<FlywayRow>(
    `SELECT installed_rank, version, description, type, script, checksum, installed_by, installed_on, execution_time, success
       FROM ${name} ORDER BY installed_rank`,
  );
  return result.rows;
}

export interface Adoption {
  rows: HistoryRow[];
  problems: ValidationProblem[];
}

export function adoptFlyway(set: MigrationSet, flyway: readonly FlywayRow[]): Adoption {
  const byVersion = new Map(set.versioned.map((f) => [f.version!, f]));
  const byScript = new Map(set.repeatable.map((f) => [f.script, f]));
  const rows: HistoryRow[] = [];
  const problems: ValidationProblem[] = [];
  for (const row of flyway) {
    if (!row.success) continue;
    let type: RowType;
    let file: ReturnType<typeof byVersion.get>;
    const version = row.version ? normaliseVersion(row.version) : null;
    if (row.type === 'BASELINE') type = 'BASELINE';
    else if (row.type === 'UNDO_SQL') type = 'UNDO';
    else if (row.type === 'SCHEMA') continue;
    else if (version === null) {
      type = 'REPEATABLE';
      file = byScript.get(row.script);
    } else {
      type = 'ADOPTED';
      file = byVersion.get(version);
    }
    if (type === 'ADOPTED' || type === 'REPEATABLE') {
      if (!file) {
        if (type === 'ADOPTED')
          problems.push({
            kind: 'missing-file',
            message: `Flyway applied version ${version} (${row.script}) but its file is not in the migrations directory`,
          });
        continue;
      }
      const onDisk = flywayChecksum(file.text);
      if (row.checksum !== null && row.checksum !== onDisk) {
        if (type === 'REPEATABLE') continue; // changed repeatable: simply pending again
        problems.push({
          kind: 'checksum-drift',
          file: file.file,
          message: `${file.file} changed after Flyway applied it: CRC32 ${onDisk} on disk, ${row.checksum} in ${FLYWAY_TABLE}`,
        });
        continue;
      }
    }
    rows.push({
      installed_rank: row.installed_rank,
      version,
      description: row.description,
      type,
      script: file?.script ?? row.script,
      checksum: file?.checksum ?? null,
      installed_by: row.installed_by,
      installed_on: row.installed_on,
      execution_time: row.execution_time,
      success: true,
      run_url: null,
      commit_sha: null,
      environment: null,
      undo_script: file?.undo?.text ?? null,
      undo_checksum: file?.undo?.checksum ?? null,
      statements_done: null,
      error: null,
    });
  }
  return { rows, problems };
}
