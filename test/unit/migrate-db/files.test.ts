import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseState, pending, validate } from '../../../actions/migrate-db/engine.js';
import {
  checksum,
  compareVersions,
  normaliseVersion,
  readMigrations,
} from '../../../actions/migrate-db/files.js';
import type { HistoryRow } from '../../../actions/migrate-db/history.js';
import { lockKey } from '../../../actions/migrate-db/lock.js';

function dir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

describe('migration files', () => {
  it('compares versions numerically by dotted parts', () => {
    expect(['10', '2', '1.10', '1.9', '1'].sort(compareVersions)).toEqual(['1', '1.9', '1.10', '2', '10']);
    expect(normaliseVersion('001')).toBe('1');
    expect(normaliseVersion('2_1')).toBe('2.1');
    expect(compareVersions('1.0', '1')).toBe(0);
  });

  it('checksums the LF-normalised, BOM-stripped text', () => {
    expect(checksum('\uFEFFSELECT 1;\r\n')).toBe(checksum('SELECT 1;\n'));
    expect(checksum('SELECT 1;\n')).toBe(createHash('sha256').update('SELECT 1;\n').digest('hex'));
  });

  it('reads Flyway names, undo scripts, repeatables and the seeds NNN_name.sql with rollbacks/', () => {
    const root = dir({
      'V1__create_patients.sql': 'SELECT 1;',
      'U1__create_patients.sql': 'SELECT 2;',
      'V1.1__add_index.sql': 'SELECT 3;',
      'R__views.sql': 'SELECT 4;',
      '002_admissions.sql': 'SELECT 5;',
      'rollbacks/002_admissions_rollback.sql': 'SELECT 6;',
      'README.md': 'not a migration',
    });
    const set = readMigrations(root, root);
    expect(set.versioned.map((f) => [f.version, f.description, Boolean(f.undo)])).toEqual([
      ['1', 'create patients', true],
      ['1.1', 'add index', false],
      ['2', 'admissions', true],
    ]);
    expect(set.repeatable.map((f) => f.script)).toEqual(['R__views.sql']);
  });

  it('reports misnamed files, duplicate versions and orphan undo scripts at once', () => {
    const root = dir({
      'V1__a.sql': '',
      '001_b.sql': '',
      'U7__nothing.sql': '',
      'create_things.sql': '',
    });
    const message = (() => {
      try {
        readMigrations(root, root);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('V1__a.sql: version 1 is also used by 001_b.sql');
    expect(message).toContain('create_things.sql: not a migration name');
    expect(message).toContain('U7__nothing.sql: undo script for version 7, which has no migration');
  });
});

function row(partial: Partial<HistoryRow>): HistoryRow {
  return {
    installed_rank: 1,
    version: null,
    description: '',
    type: 'SQL',
    script: '',
    checksum: null,
    installed_by: 'deploy',
    installed_on: new Date(),
    execution_time: 1,
    success: true,
    run_url: null,
    commit_sha: null,
    environment: null,
    undo_script: null,
    undo_checksum: null,
    statements_done: null,
    error: null,
    ...partial,
  };
}

describe('history state and validation', () => {
  const root = dir({ 'V1__a.sql': 'SELECT 1;', 'V2__b.sql': 'SELECT 2;', 'V3__c.sql': 'SELECT 3;' });
  const set = readMigrations(root, root);
  const sum = (v: string) => set.versioned.find((f) => f.version === v)!.checksum;

  it('treats failed transactional attempts as pending and undone versions as not applied', () => {
    const state = databaseState([
      row({ version: '1', script: 'V1__a.sql', checksum: sum('1') }),
      row({ version: '2', script: 'V2__b.sql', checksum: sum('2'), success: false }),
      row({ version: '3', script: 'V3__c.sql', checksum: sum('3') }),
      row({ version: '3', script: 'V3__c.sql', type: 'UNDO' }),
    ]);
    expect([...state.applied.keys()]).toEqual(['1']);
    expect(pending(set, state).map((f) => f.version)).toEqual(['2', '3']);
  });

  it('finds drift, missing files and out-of-order pending migrations', () => {
    const state = databaseState([
      row({ version: '1', script: 'V1__a.sql', checksum: 'f'.repeat(64) }),
      row({ version: '3', script: 'V3__c.sql', checksum: sum('3') }),
      row({ version: '4', script: 'V4__gone.sql', checksum: 'a'.repeat(64) }),
    ]);
    const problems = validate(set, state, { outOfOrder: false });
    expect(problems.map((p) => p.kind).sort()).toEqual(['checksum-drift', 'missing-file', 'out-of-order']);
    expect(
      validate(set, state, { outOfOrder: true })
        .map((p) => p.kind)
        .sort(),
    ).toEqual(['checksum-drift', 'missing-file']);
  });

  it('covers versions up to the baseline', () => {
    const state = databaseState([row({ version: '2', type: 'BASELINE', script: '<< baseline >>' })]);
    expect(state.current).toBe('2');
    expect(pending(set, state).map((f) => f.version)).toEqual(['3']);
  });
});

describe('lock key', () => {
  it('is a stable signed 64-bit key per database, schema and table', () => {
    const key = lockKey('patients', 'public', 'deploy_schema_history');
    expect(key).toBe(lockKey('patients', 'public', 'deploy_schema_history'));
    expect(key).not.toBe(lockKey('patients_staging', 'public', 'deploy_schema_history'));
    expect(BigInt.asIntN(64, key)).toBe(key);
  });
});

describe('Flyway checksum', () => {
  it('is CRC32 over the lines without terminators, signed, ignoring a BOM and the line-ending style', async () => {
    const { flywayChecksum } = await import('../../../actions/migrate-db/flyway.js');
    const { crc32 } = await import('node:zlib');
    expect(flywayChecksum('SELECT 1;\nSELECT 2;\n')).toBe(crc32('SELECT 1;SELECT 2;') | 0);
    expect(flywayChecksum('\uFEFFSELECT 1;\r\nSELECT 2;')).toBe(flywayChecksum('SELECT 1;\nSELECT 2;\n'));
    expect(flywayChecksum('x'.repeat(100))).toBeLessThan(2 ** 31);
  });
});
