import { describe, expect, it } from 'vitest';
import {
  analyzeMigration,
  applySeverity,
  MigrationFileError,
  RULES,
} from '../../../actions/migrate-db/analyze.js';
import { checksum, type MigrationFile } from '../../../actions/migrate-db/files.js';

function file(text: string, name = 'V1__test.sql'): MigrationFile {
  return {
    kind: 'versioned',
    version: '1',
    description: 'test',
    script: name,
    file: `migrations/${name}`,
    text,
    checksum: checksum(text),
  };
}

async function rules(text: string): Promise<string[]> {
  return (await analyzeMigration(file(text))).findings.map((f) => f.rule);
}

describe('lint rules from the real parse tree', () => {
  it.each([
    ['ALTER TABLE t ADD COLUMN c int NOT NULL', 'adding-not-null-column-without-default'],
    ['ALTER TABLE t ALTER COLUMN c SET NOT NULL', 'setting-not-null'],
    ['ALTER TABLE t ALTER COLUMN c TYPE bigint', 'changing-column-type'],
    ['ALTER TABLE t RENAME COLUMN a TO b', 'renaming-column'],
    ['ALTER TABLE t RENAME TO u', 'renaming-table'],
    ['ALTER TABLE t DROP COLUMN c', 'dropping-column'],
    ['DROP TABLE t', 'dropping-table'],
    ['CREATE INDEX i ON t (a)', 'creating-index-non-concurrently'],
    ['DROP INDEX i', 'dropping-index-non-concurrently'],
    ['ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)', 'constraint-missing-not-valid'],
    ['ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)', 'constraint-missing-not-valid'],
    ['ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)', 'adding-unique-constraint'],
    ['ALTER TABLE t ADD COLUMN id uuid DEFAULT gen_random_uuid()', 'volatile-default'],
  ])('%s → %s', async (sql, rule) => {
    const found = await analyzeMigration(file(`-- comment\n${sql};\n`));
    expect(found.findings.map((f) => f.rule)).toEqual([rule]);
    expect(found.findings[0]).toMatchObject({
      line: 2,
      column: 1,
      lockLevel: RULES[rule]!.lockLevel,
      severity: 'error',
    });
    expect(found.findings[0]!.why.length).toBeGreaterThan(20);
    expect(found.findings[0]!.instead.length).toBeGreaterThan(10);
  });

  it('accepts the safe forms', async () => {
    expect(
      await rules(`ALTER TABLE t ADD COLUMN c int;
ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT 0;
ALTER TABLE t ADD COLUMN e timestamptz DEFAULT now();
CREATE INDEX CONCURRENTLY i ON t (a);
DROP INDEX CONCURRENTLY j;
ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT f;
ALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX i;`),
    ).toEqual([]);
  });

  it('does not flag indexes and constraints on a table created in the same file', async () => {
    expect(
      await rules(
        'CREATE TABLE n (id int PRIMARY KEY, a int);\nCREATE INDEX n_a ON n (a);\nALTER TABLE n ADD CONSTRAINT c CHECK (a > 0);',
      ),
    ).toEqual([]);
  });

  it('ignores look-alikes in strings and comments, which a regex linter would not', async () => {
    expect(
      await rules(
        "-- DROP TABLE patients;\nSELECT 'ALTER TABLE t DROP COLUMN c';\n/* CREATE INDEX i ON t (a); */",
      ),
    ).toEqual([]);
  });

  it('applies waivers with reasons and rejects waivers without one or for an unknown rule', async () => {
    const waived = await analyzeMigration(
      file('-- migrate-db:allow dropping-table retired in 2.1 (CHG-42)\nDROP TABLE old_things;'),
    );
    expect(waived.findings).toEqual([
      expect.objectContaining({
        rule: 'dropping-table',
        severity: 'waived',
        waiver: 'retired in 2.1 (CHG-42)',
      }),
    ]);
    await expect(analyzeMigration(file('-- migrate-db:allow dropping-table\nDROP TABLE x;'))).rejects.toThrow(
      'migrations/V1__test.sql:1:1: the waiver for dropping-table gives no reason',
    );
    await expect(
      analyzeMigration(file('-- migrate-db:allow drop-everything because\nDROP TABLE x;')),
    ).rejects.toThrow('"drop-everything" is not a lint rule');
  });

  it('turns errors into warnings for warn and drops findings for off', async () => {
    const { findings } = await analyzeMigration(file('DROP TABLE x;'));
    expect(applySeverity(findings, 'warn')[0]!.severity).toBe('warning');
    expect(applySeverity(findings, 'off')).toEqual([]);
  });
});

describe('transaction mode from the parse tree', () => {
  it.each([
    ['CREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX CONCURRENTLY'],
    ['DROP INDEX CONCURRENTLY i', 'DROP INDEX CONCURRENTLY'],
    ['REINDEX INDEX CONCURRENTLY i', 'REINDEX CONCURRENTLY'],
    ['VACUUM t', 'VACUUM'],
    ['ALTER TABLE p DETACH PARTITION c CONCURRENTLY', 'DETACH PARTITION CONCURRENTLY'],
  ])('%s cannot run in a transaction', async (sql, reason) => {
    const analysis = await analyzeMigration(file(`SELECT 1;\n${sql};`));
    expect(analysis.transactional).toBe(false);
    expect(analysis.nonTransactionalReasons).toEqual([
      `line 2: ${reason} cannot run inside a transaction block`,
    ]);
    expect(analysis.statements.map((s) => s.sql)).toEqual(['SELECT 1', sql]);
  });

  it('knows ALTER TYPE … ADD VALUE needs no special treatment from PostgreSQL 12', async () => {
    const sql = "ALTER TYPE status ADD VALUE 'x';";
    expect((await analyzeMigration(file(sql), { serverVersion: 150000 })).transactional).toBe(true);
    expect((await analyzeMigration(file(sql), { serverVersion: 110000 })).transactional).toBe(false);
  });

  it('is not fooled by CONCURRENTLY in a comment or a string', async () => {
    const analysis = await analyzeMigration(
      file("-- CREATE INDEX CONCURRENTLY i ON t (a);\nCOMMENT ON TABLE t IS 'built concurrently';"),
    );
    expect(analysis.transactional).toBe(true);
  });

  it('runs a file statement by statement when it asks for it', async () => {
    const analysis = await analyzeMigration(
      file('-- migrate-db:no-transaction\nUPDATE t SET a = 1;\nUPDATE t SET b = 2;'),
    );
    expect(analysis.transactional).toBe(false);
    expect(analysis.nonTransactionalReasons).toEqual(['the file asks for it (-- migrate-db:no-transaction)']);
  });

  it('refuses explicit transaction control', async () => {
    await expect(analyzeMigration(file('BEGIN;\nCREATE TABLE x (id int);\nCOMMIT;'))).rejects.toThrow(
      'migrations/V1__test.sql:1:1: transaction control',
    );
  });

  it('reports syntax errors at file:line:column, counting characters not bytes', async () => {
    const error = await analyzeMigration(file("SELECT 'é';\nSELECT 'ü' FROM;\n")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationFileError);
    expect((error as MigrationFileError).message).toBe(
      'migrations/V1__test.sql:2:16: syntax error at or near ";"',
    );
  });

  it('splits statements with their positions, keeping dollar-quoted bodies whole', async () => {
    const text =
      'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n\n  CREATE TABLE é (id int);';
    const analysis = await analyzeMigration(file(text));
    expect(analysis.statements.map((s) => [s.line, s.column, s.sql])).toEqual([
      [1, 1, 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql'],
      [3, 3, 'CREATE TABLE é (id int)'],
    ]);
  });
});
