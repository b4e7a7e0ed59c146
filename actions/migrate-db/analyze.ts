import { lineColumn, type MigrationFile } from './files.js';
import { loadParser, parseWith, SqlSyntaxError } from './parser.js';

/**
 * What the real PostgreSQL parser says about one migration file: its statements (with their
 * text and position, for statement-by-statement execution), whether it can run in a
 * transaction, and the lint findings with their lock levels.
 */

export interface Statement {
  /** The statement node's type, e.g. `IndexStmt`. */
  type: string;
  node: Record<string, unknown>;
  sql: string;
  line: number;
  column: number;
  /** Why it cannot run inside a transaction block, when it cannot. */
  nonTransactional?: string;
}

export type LockLevel =
  | 'ACCESS EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'ROW EXCLUSIVE';

export interface LintFinding {
  rule: string;
  file: string;
  line: number;
  column: number;
  lockLevel: LockLevel;
  message: string;
  why: string;
  instead: string;
  /** error blocks the migration; warning and waived do not. */
  severity: 'error' | 'warning' | 'waived';
  waiver?: string;
}

export interface Waiver {
  rule: string;
  reason: string;
  line: number;
}

export interface Analysis {
  statements: Statement[];
  transactional: boolean;
  /** Reasons, e.g. `line 4: CREATE INDEX CONCURRENTLY cannot run inside a transaction block`. */
  nonTransactionalReasons: string[];
  findings: LintFinding[];
  waivers: Waiver[];
}

/** A problem with the file itself (syntax, waiver, explicit transaction control), located. */
export class MigrationFileError extends Error {
  override readonly name = 'MigrationFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
  }
}

interface RuleInfo {
  lockLevel: LockLevel;
  why: string;
  instead: string;
}

/** The lint rules (squawk's ideas), each with why it breaks a side-by-side deploy and what to do. */
export const RULES: Record<string, RuleInfo> = {
  'adding-not-null-column-without-default': {
    lockLevel: 'ACCESS EXCLUSIVE',
    why: 'fails on a table with rows, and the old version, which does not know the column, cannot insert rows once it exists',
    instead:
      'add the column nullable (or with a constant default), backfill in batches, then add a NOT VALID CHECK (col IS NOT NULL), VALIDATE it, and SET NOT NULL',
  },
  'setting-not-null': {
    lockLevel: 'ACCESS EXCLUSIVE',
    why: 'scans the whole table under an ACCESS EXCLUSIVE lock, blocking reads and writes of both versions, and breaks the old version if it still writes NULLs',
    instead:
      'add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later migration, then SET NOT NULL (PostgreSQL 12+ uses the valid check and skips the scan)',
  },
  'changing-column-type': {
    lockLevel: 'ACCESS EXCLUSIVE',
    why: 'usually rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, and the old version may read or write the old type',
    instead:
      'expand/contract: add a new column, write both, backfill, switch reads, then drop the old column in a later release',
  },
  'renaming-column': {
    lockLevel: 'ACCESS EXCLUSIVE',
    why: 'the old version, still serving during a rolling or canary deploy, queries the old name and fails',
    instead:
      'add the new column, write both and backfill, switch reads, then drop the old column once no version uses it',
  },
  'renaming-table': {
    lockLevel: 'ACCESS EXCLUSIVE',
    why: 'the old version, still serving during a rolling or canary deploy, queries the old name and fails',
    instead:
      'create the new table (or a view under the old name), migrate readers and writers, then drop the old name later',
  },
  'dropping-column': {
    lockLevel: 'ACCESS EXCLUSIVE',
    why: 'the old version still selects or inserts the column and fails until every pod is replaced; the data cannot be restored by a rollback',
    instead:
      'stop using the column in a release first, then drop it in a later migration once no running version references it',
  },
  'dropping-table': {
    lockLevel: 'ACCESS EXCLUSIVE',
    why: 'the old version still queries the table; the data cannot be restored by a rollback',
    instead: 'stop using the table in a release first, keep a backup, then drop it in a later migration',
  },
  'creating-index-non-concurrently': {
    lockLevel: 'SHARE',
    why: 'blocks every INSERT, UPDATE and DELETE on the table for as long as the build takes',
    instead: 'CREATE INDEX CONCURRENTLY (runs outside a transaction; migrate-db handles that)',
  },
  'dropping-index-non-concurrently': {
    lockLevel: 'ACCESS EXCLUSIVE',
    why: 'takes an ACCESS EXCLUSIVE lock on the table, queueing every query behind it',
    instead: 'DROP INDEX CONCURRENTLY',
  },
  'constraint-missing-not-valid': {
    lockLevel: 'SHARE ROW EXCLUSIVE',
    why: 'validates every existing row while holding a lock that blocks writes (a foreign key also locks the referenced table)',
    instead:
      'ADD CONSTRAINT … NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT in a separate migration (SHARE UPDATE EXCLUSIVE, writes continue)',
  },
  'adding-unique-constraint': {
    lockLevel: 'ACCESS EXCLUSIVE',
    why: 'builds the unique index while blocking reads and writes on the table',
    instead: 'CREATE UNIQUE INDEX CONCURRENTLY, then ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX',
  },
  'volatile-default': {
    lockLevel: 'ACCESS EXCLUSIVE',
    why: 'a volatile default (random(), gen_random_uuid(), clock_timestamp()…) rewrites the whole table under an ACCESS EXCLUSIVE lock',
    instead:
      'add the column without a default (or with a constant), set the default afterwards, and backfill existing rows in batches',
  },
};

const VOLATILE = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
  'random_normal',
]);

const WAIVER = /--\s*migrate-db:allow\b(.*)$/;
const NO_TRANSACTION = /--\s*migrate-db:no-transaction\b/;

function readWaivers(file: MigrationFile): Waiver[] {
  const waivers: Waiver[] = [];
  const lines = file.text.split('\n');
  lines.forEach((text, index) => {
    const match = WAIVER.exec(text);
    if (!match) return;
    const rest = match[1]!.trim();
    const [rule = '', ...reason] = rest.split(/\s+/);
    const column = text.indexOf('--') + 1;
    if (!rule) {
      throw new MigrationFileError(
        file.file,
        index + 1,
        column,
        'a waiver names a rule: -- migrate-db:allow <rule> <reason>',
      );
    }
    if (!RULES[rule]) {
      throw new MigrationFileError(
        file.file,
        index + 1,
        column,
        `"${rule}" is not a lint rule; waivable rules: ${Object.keys(RULES).join(', ')}`,
      );
    }
    if (reason.join(' ').trim().length < 3) {
      throw new MigrationFileError(
        file.file,
        index + 1,
        column,
        `the waiver for ${rule} gives no reason: -- migrate-db:allow ${rule} <why this is safe>`,
      );
    }
    waivers.push({ rule, reason: reason.join(' '), line: index + 1 });
  });
  return waivers;
}

type Node = Record<string, unknown>;

function unwrap(value: unknown): [string, Node] | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const [entry] = Object.entries(value as Node);
  if (!entry) return undefined;
  return [entry[0], (entry[1] ?? {}) as Node];
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function relationName(relation: unknown): string | undefined {
  const rel = relation as { relname?: string; schemaname?: string } | undefined;
  if (!rel?.relname) return undefined;
  return rel.schemaname ? `${rel.schemaname}.${rel.relname}` : rel.relname;
}

function nonTransactionalReason(type: string, node: Node, serverVersion: number): string | undefined {
  switch (type) {
    case 'IndexStmt':
      return node.concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'DropStmt':
      return node.concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'ReindexStmt':
      return list(node.params).some(
        (p) => (unwrap(p)?.[1] as { defname?: string })?.defname === 'concurrently',
      )
        ? 'REINDEX CONCURRENTLY'
        : undefined;
    case 'VacuumStmt':
      return node.is_vacuumcmd ? 'VACUUM' : undefined;
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    case 'AlterEnumStmt':
      // Allowed in a transaction block since PostgreSQL 12.
      return serverVersion > 0 && serverVersion < 120000
        ? 'ALTER TYPE … ADD VALUE (before PostgreSQL 12)'
        : undefined;
    case 'AlterTableStmt':
      return list(node.cmds).some((cmd) => {
        const c = unwrap(cmd)?.[1] as { subtype?: string; def?: unknown } | undefined;
        return (
          c?.subtype === 'AT_DetachPartition' && (unwrap(c.def)?.[1] as { concurrent?: boolean })?.concurrent
        );
      })
        ? 'DETACH PARTITION CONCURRENTLY'
        : undefined;
    default:
      return undefined;
  }
}

/** Character offset of a UTF-8 byte offset (the parser's stmt_location counts bytes). */
function charOffset(buffer: Buffer, byteOffset: number): number {
  return buffer.subarray(0, byteOffset).toString('utf8').length;
}

export interface AnalyzeOptions {
  /** server_version_num, or 0 when unknown (plan without a database). */
  serverVersion?: number;
}

export async function analyzeMigration(file: MigrationFile, options: AnalyzeOptions = {}): Promise<Analysis> {
  const wasm = await loadParser();
  return analyzeWith(wasm, file, options);
}

export function analyzeWith(
  wasm: Awaited<ReturnType<typeof loadParser>>,
  file: MigrationFile,
  options: AnalyzeOptions = {},
): Analysis {
  const text = file.text;
  let tree: ReturnType<typeof parseWith>;
  try {
    tree = parseWith(wasm, text);
  } catch (error) {
    if (error instanceof SqlSyntaxError) {
      const { line, column } = lineColumn(text, error.offset);
      throw new MigrationFileError(file.file, line, column, error.message);
    }
    throw error;
  }
  const waivers = readWaivers(file);
  const bytes = Buffer.from(text, 'utf8');
  const statements: Statement[] = [];
  const findings: LintFinding[] = [];
  const reasons: string[] = [];
  const createdTables = new Set<string>();

  for (const raw of tree.stmts) {
    const unwrapped = unwrap(raw.stmt);
    if (!unwrapped) continue;
    const [type, node] = unwrapped;
    const startByte = raw.stmt_location ?? 0;
    const endByte = raw.stmt_len ? startByte + raw.stmt_len : bytes.length;
    const sqlText = bytes.subarray(startByte, endByte).toString('utf8');
    // The statement proper starts after any leading whitespace and comments.
    const lead = /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/.exec(sqlText)?.[0].length ?? 0;
    const start = charOffset(bytes, startByte) + lead;
    const { line, column } = lineColumn(text, start);
    if (type === 'TransactionStmt') {
      throw new MigrationFileError(
        file.file,
        line,
        column,
        'transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) is not allowed in a migration: migrate-db runs each file in its own transaction, or statement by statement when it must',
      );
    }
    const reason = nonTransactionalReason(type, node, options.serverVersion ?? 0);
    if (reason) reasons.push(`line ${line}: ${reason} cannot run inside a transaction block`);
    statements.push({
      type,
      node,
      sql: sqlText.trim(),
      line,
      column,
      ...(reason ? { nonTransactional: reason } : {}),
    });
    const find = (rule: string, message: string) => {
      const info = RULES[rule]!;
      const waiver = waivers.find((w) => w.rule === rule);
      findings.push({
        rule,
        file: file.file,
        line,
        column,
        lockLevel: info.lockLevel,
        message,
        why: info.why,
        instead: info.instead,
        severity: waiver ? 'waived' : 'error',
        ...(waiver ? { waiver: waiver.reason } : {}),
      });
    };
    lintStatement(type, node, createdTables, find);
  }
  const forced = NO_TRANSACTION.test(text);
  if (forced && reasons.length === 0) reasons.push('the file asks for it (-- migrate-db:no-transaction)');
  return {
    statements,
    transactional: reasons.length === 0,
    nonTransactionalReasons: reasons,
    findings,
    waivers,
  };
}

function lintStatement(
  type: string,
  node: Node,
  createdTables: Set<string>,
  find: (rule: string, message: string) => void,
): void {
  switch (type) {
    case 'CreateStmt': {
      const name = relationName(node.relation);
      if (name) createdTables.add(name);
      return;
    }
    case 'IndexStmt': {
      const table = relationName(node.relation);
      if (!node.concurrent && !(table && createdTables.has(table))) {
        find(
          'creating-index-non-concurrently',
          `CREATE INDEX ${String(node.idxname ?? '')} on ${table} without CONCURRENTLY`,
        );
      }
      return;
    }
    case 'DropStmt': {
      if (node.removeType === 'OBJECT_TABLE') find('dropping-table', 'DROP TABLE');
      if (node.removeType === 'OBJECT_INDEX' && !node.concurrent)
        find('dropping-index-non-concurrently', 'DROP INDEX without CONCURRENTLY');
      return;
    }
    case 'RenameStmt': {
      if (node.renameType === 'OBJECT_COLUMN')
        find('renaming-column', `renames column ${String(node.subname)} of ${relationName(node.relation)}`);
      if (node.renameType === 'OBJECT_TABLE')
        find('renaming-table', `renames table ${relationName(node.relation)} to ${String(node.newname)}`);
      return;
    }
    case 'AlterTableStmt': {
      const table = relationName(node.relation);
      const isNew = table !== undefined && createdTables.has(table);
      for (const cmdNode of list(node.cmds)) {
        const cmd = unwrap(cmdNode)?.[1] as { subtype?: string; name?: string; def?: unknown } | undefined;
        if (!cmd) continue;
        switch (cmd.subtype) {
          case 'AT_AddColumn': {
            if (isNew) break;
            const def = unwrap(cmd.def)?.[1] as { colname?: string; constraints?: unknown[] } | undefined;
            const constraints = list(def?.constraints).map((c) => unwrap(c)?.[1] as Node);
            const notNull = constraints.some((c) => c.contype === 'CONSTR_NOTNULL');
            const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
            if (notNull && defaultExpr === undefined)
              find(
                'adding-not-null-column-without-default',
                `adds NOT NULL column ${def?.colname} to ${table} without a default`,
              );
            if (defaultExpr !== undefined && containsVolatileCall(defaultExpr))
              find('volatile-default', `adds column ${def?.colname} to ${table} with a volatile default`);
            for (const c of constraints) {
              if (c.contype === 'CONSTR_FOREIGN' && !c.skip_validation)
                find(
                  'constraint-missing-not-valid',
                  `adds column ${def?.colname} with a validated foreign key`,
                );
              if (c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY')
                find(
                  'adding-unique-constraint',
                  `adds column ${def?.colname} with a ${c.contype === 'CONSTR_PRIMARY' ? 'primary key' : 'unique constraint'}`,
                );
            }
            break;
          }
          case 'AT_SetNotNull':
            if (!isNew) find('setting-not-null', `SET NOT NULL on ${table}.${cmd.name}`);
            break;
          case 'AT_AlterColumnType':
            if (!isNew) find('changing-column-type', `changes the type of ${table}.${cmd.name}`);
            break;
          case 'AT_DropColumn':
            find('dropping-column', `drops column ${table}.${cmd.name}`);
            break;
          case 'AT_AddConstraint': {
            if (isNew) break;
            const c = unwrap(cmd.def)?.[1] as Node | undefined;
            if (!c) break;
            if ((c.contype === 'CONSTR_FOREIGN' || c.contype === 'CONSTR_CHECK') && !c.skip_validation)
              find(
                'constraint-missing-not-valid',
                `adds ${c.contype === 'CONSTR_FOREIGN' ? 'foreign key' : 'check'} constraint ${String(c.conname ?? '')} on ${table} without NOT VALID`,
              );
            if ((c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') && !c.indexname)
              find(
                'adding-unique-constraint',
                `adds ${c.contype === 'CONSTR_PRIMARY' ? 'a primary key' : 'unique constraint'} ${String(c.conname ?? '')} on ${table} by building its index`,
              );
            break;
          }
          case 'AT_ColumnDefault': {
            // SET DEFAULT does not rewrite; nothing to say.
            break;
          }
        }
      }
      return;
    }
  }
}

function containsVolatileCall(expr: unknown): boolean {
  if (!expr || typeof expr !== 'object') return false;
  if (Array.isArray(expr)) return expr.some(containsVolatileCall);
  for (const [key, value] of Object.entries(expr as Node)) {
    if (key === 'FuncCall') {
      const names = list((value as Node).funcname).map((n) => (unwrap(n)?.[1] as { sval?: string })?.sval);
      if (VOLATILE.has(String(names.at(-1)).toLowerCase())) return true;
    }
    if (containsVolatileCall(value)) return true;
  }
  return false;
}

/** Turns findings' severity into what the environment asks for: error blocks, warn only reports. */
export function applySeverity(findings: LintFinding[], mode: 'error' | 'warn' | 'off'): LintFinding[] {
  if (mode === 'off') return [];
  return findings.map((f) => (f.severity === 'error' && mode === 'warn' ? { ...f, severity: 'warning' } : f));
}
