import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '../../shared/errors.js';

/**
 * The migration files of one directory. Flyway names (`V<version>__<description>.sql`, undo
 * `U<version>__…`, repeatable `R__…`) and the seeds' `NNN_name.sql` with undo scripts in
 * `rollbacks/NNN_name_rollback.sql`. Versions compare numerically by dotted parts.
 */

export interface UndoScript {
  /** Path relative to the workspace (for messages). */
  file: string;
  text: string;
  checksum: string;
}

export interface MigrationFile {
  kind: 'versioned' | 'repeatable';
  /** Dotted numeric version, normalised ("1.10"); undefined for repeatable migrations. */
  version?: string;
  description: string;
  /** File name as stored in the history's `script` column. */
  script: string;
  /** Path relative to the workspace, for messages and annotations. */
  file: string;
  text: string;
  checksum: string;
  undo?: UndoScript;
}

const VERSIONED = /^V(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const UNDO = /^U(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const REPEATABLE = /^R__(.+)\.sql$/;
const SEED = /^(\d+)_(.+)\.sql$/;
const SEED_ROLLBACK = /^(\d+)_(.+)_rollback\.sql$/;

/** The stored form of a file's text: BOM stripped and line endings LF, so a checkout's git settings cannot change it. */
export function normaliseText(raw: string): string {
  return raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

export function checksum(text: string): string {
  return createHash('sha256').update(normaliseText(text)).digest('hex');
}

/** "001" → "1", "2_1" → "2.1", "1.010" → "1.10". */
export function normaliseVersion(raw: string): string {
  return raw
    .split(/[._]/)
    .map((part) => String(BigInt(part)))
    .join('.');
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => BigInt(p));
  const pb = b.split('.').map((p) => BigInt(p));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function describe(raw: string): string {
  return raw.replace(/_/g, ' ');
}

export interface MigrationSet {
  versioned: MigrationFile[];
  repeatable: MigrationFile[];
  directory: string;
}

/** Reads a migration directory; every misnamed or duplicate file is reported at once. */
export function readMigrations(directory: string, workspace: string): MigrationSet {
  const shown = (path: string) => relative(workspace, path) || path;
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new UserError(`migrations directory ${shown(directory)} does not exist`);
  }
  const problems: string[] = [];
  const versioned = new Map<string, MigrationFile>();
  const undos = new Map<string, UndoScript>();
  const repeatable: MigrationFile[] = [];
  const read = (path: string) => normaliseText(readFileSync(path, 'utf8'));

  const add = (version: string, file: MigrationFile) => {
    const existing = versioned.get(version);
    if (existing) {
      problems.push(`${file.file}: version ${version} is also used by ${existing.file}`);
      return;
    }
    versioned.set(version, file);
  };
  const addUndo = (version: string, path: string) => {
    const text = read(path);
    const existing = undos.get(version);
    if (existing) {
      problems.push(`${shown(path)}: undo for version ${version} is also given by ${existing.file}`);
      return;
    }
    undos.set(version, { file: shown(path), text, checksum: checksum(text) });
  };

  for (const name of readdirSync(directory).sort()) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) {
      if (name === 'rollbacks') {
        for (const undoName of readdirSync(path).sort()) {
          const match = SEED_ROLLBACK.exec(undoName);
          if (match) addUndo(normaliseVersion(match[1]!), join(path, undoName));
          else if (undoName.endsWith('.sql'))
            problems.push(`${shown(join(path, undoName))}: expected NNN_<name>_rollback.sql`);
        }
      }
      continue;
    }
    if (!name.endsWith('.sql')) continue;
    let match = VERSIONED.exec(name);
    if (match) {
      const text = read(path);
      const version = normaliseVersion(match[1]!);
      add(version, {
        kind: 'versioned',
        version,
        description: describe(match[2]!),
        script: name,
        file: shown(path),
        text,
        checksum: checksum(text),
      });
      continue;
    }
    match = UNDO.exec(name);
    if (match) {
      addUndo(normaliseVersion(match[1]!), path);
      continue;
    }
    match = REPEATABLE.exec(name);
    if (match) {
      const text = read(path);
      repeatable.push({
        kind: 'repeatable',
        description: describe(match[1]!),
        script: name,
        file: shown(path),
        text,
        checksum: checksum(text),
      });
      continue;
    }
    match = SEED.exec(name);
    if (match && !SEED_ROLLBACK.test(name)) {
      const text = read(path);
      const version = normaliseVersion(match[1]!);
      add(version, {
        kind: 'versioned',
        version,
        description: describe(match[2]!),
        script: name,
        file: shown(path),
        text,
        checksum: checksum(text),
      });
      continue;
    }
    problems.push(
      `${shown(path)}: not a migration name; expected V<version>__<description>.sql, U<version>__<description>.sql, R__<description>.sql or NNN_<name>.sql`,
    );
  }
  for (const [version, undo] of undos) {
    const file = versioned.get(version);
    if (file) file.undo = undo;
    else problems.push(`${undo.file}: undo script for version ${version}, which has no migration`);
  }
  if (problems.length) throw new UserError(`migration files are not valid:\n${problems.join('\n')}`);
  return {
    versioned: [...versioned.values()].sort((a, b) => compareVersions(a.version!, b.version!)),
    repeatable: repeatable.sort((a, b) => a.script.localeCompare(b.script)),
    directory,
  };
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
