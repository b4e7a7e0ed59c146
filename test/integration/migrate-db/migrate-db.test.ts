import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditFile } from '../../../shared/audit/index.js';
import { freePort } from '../../support/free-port.js';
import { type ActionRun, findLeaks, repoRoot, runAction } from '../../support/harness.js';
import { type PostgresCluster, SUPERUSER_PASSWORD, startPostgres } from '../../support/postgres.js';

const CLINICAL = join(repoRoot, 'test/fixtures/migrations/clinical');

let pg: PostgresCluster;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

/** A workspace with a copy of the clinical migrations (and optional config and extra files). */
function workspace(
  options: { config?: string; environment?: string; extra?: Record<string, string>; without?: string[] } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-ws-'));
  cpSync(CLINICAL, join(dir, 'migrations'), {
    recursive: true,
    filter: (src) => !(options.without ?? []).some((name) => src.endsWith(name)),
  });
  for (const [name, text] of Object.entries(options.extra ?? {}))
    writeFileSync(join(dir, 'migrations', name), text);
  if (options.config) {
    mkdirSync(join(dir, 'deploy/environments'), { recursive: true });
    writeFileSync(join(dir, `deploy/environments/${options.environment ?? 'staging'}.yml`), options.config);
  }
  return dir;
}

async function migrateDb(
  ws: string,
  database: string,
  inputs: Record<string, string> = {},
  extra: { env?: Record<string, string> } = {},
): Promise<ActionRun> {
  return runAction({
    action: 'migrate-db',
    workspace: ws,
    inputs: { environment: 'staging', 'database-url': pg.url(database), backup: 'false', ...inputs },
    ...(extra.env ? { env: extra.env } : {}),
  });
}

function errors(run: ActionRun): string {
  return run.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');
}

// biome-ignore lint/suspicious/noExplicitAny: audit records are JSON read back for assertions.
type Json = any;

function auditEvents(run: ActionRun): { type: string; subject?: string; data: Json }[] {
  return readFileSync(run.outputs['audit-log']!, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

async function tables(database: string): Promise<string[]> {
  const rows = await pg.query<{ t: string }>(
    database,
    "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
  );
  return rows.map((r) => r.t);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('migrate-db against PostgreSQL', () => {
  it('plans without touching the database, then applies the clinical schema with history, checksums and audit', async () => {
    const db = await pg.createDatabase('clinical');
    const ws = workspace();

    const plan = await migrateDb(ws, db, { 'dry-run': 'true' });
    expect(plan.exitCode, plan.stdout).toBe(0);
    const planJson = JSON.parse(readFileSync(plan.outputs.plan!, 'utf8'));
    expect(planJson.pending.map((p: { version: string }) => p.version)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    const v5 = planJson.pending.find((p: { version: string }) => p.version === '5');
    expect(v5.transaction).toBe('none');
    expect(v5.nonTransactionalReasons[0]).toMatch(/line 3: CREATE INDEX CONCURRENTLY/);
    const v9 = planJson.pending.find((p: { version: string }) => p.version === '9');
    expect(v9.findings).toEqual([expect.objectContaining({ rule: 'dropping-column', severity: 'waived' })]);
    expect(plan.summary).toContain('migrate-db migrate (dry run)');
    expect(await tables(db)).toEqual([]);

    const run = await migrateDb(ws, db);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.applied).toBe('9');
    expect(JSON.parse(run.outputs['applied-versions']!)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect(run.outputs['previous-version']).toBe('');
    expect(run.outputs['current-version']).toBe('9');
    expect(await tables(db)).toEqual([
      'admissions',
      'appointments',
      'audit_logs',
      'deploy_schema_history',
      'patients',
    ]);

    const history = await pg.query<{
      version: string;
      checksum: string;
      success: boolean;
      type: string;
      script: string;
      commit_sha: string;
      environment: string;
      undo_script: string | null;
      run_url: string;
    }>(db, 'SELECT * FROM deploy_schema_history ORDER BY installed_rank');
    expect(history.map((h) => [h.version, h.type, h.success])).toEqual([
      ['1', 'SQL', true],
      ['2', 'SQL', true],
      ['3', 'SQL', true],
      ['4', 'SQL', true],
      ['5', 'SQL_NO_TX', true],
      ['6', 'SQL', true],
      ['7', 'SQL', true],
      ['8', 'SQL', true],
      ['9', 'SQL', true],
    ]);
    const v1Text = readFileSync(join(CLINICAL, 'V1__create_patients.sql'), 'utf8');
    expect(history[0]!.checksum).toBe(sha256(v1Text));
    expect(history[0]!.undo_script).toBe(readFileSync(join(CLINICAL, 'U1__create_patients.sql'), 'utf8'));
    expect(history[0]!.commit_sha).toBe('3f2c1e9a8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39');
    expect(history[0]!.environment).toBe('staging');
    expect(history[0]!.run_url).toContain('/actions/runs/7001');

    const indexes = await pg.query<{ indexrelid: string; indisvalid: boolean }>(
      db,
      "SELECT indexrelid::regclass::text AS indexrelid, indisvalid FROM pg_index WHERE indexrelid::regclass::text LIKE '%_patient_id_idx'",
    );
    expect(indexes).toHaveLength(2);
    expect(indexes.every((i) => i.indisvalid)).toBe(true);

    const events = auditEvents(run);
    expect(events[0]!.type).toMatch(/^dev\.cdevents\.taskrun\.started\./);
    expect(events.at(-1)!.type).toMatch(/^dev\.cdevents\.taskrun\.finished\./);
    expect(events.at(-1)!.data.customData.outcome).toBe('success');
    const applied = events.filter((e) => e.type === 'dev.deploy-actions.migration.applied.v1');
    expect(applied).toHaveLength(9);
    expect(applied[0]!.data.checksums).toEqual({ 'V1__create_patients.sql': sha256(v1Text) });
    expect(applied[0]!.data.details.executionMs).toBeTypeOf('number');
    expect(applied[8]!.data.details.waivers).toEqual([
      { rule: 'dropping-column', reason: expect.stringContaining('replaced by contact_phone_e164') },
    ]);
    expect((await verifyAuditFile(run.outputs['audit-log']!)).ok).toBe(true);

    const again = await migrateDb(ws, db);
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.outputs.applied).toBe('0');
    expect(again.outputs['current-version']).toBe('9');
    expect(again.stdout).toContain('up to date at version 9');
  });

  it('refuses on checksum drift or a missing file, naming the file and both checksums, and applies nothing', async () => {
    const db = await pg.createDatabase('drift');
    const ws = workspace();
    expect((await migrateDb(ws, db)).exitCode).toBe(0);
    const file = join(ws, 'migrations/V2__create_admissions.sql');
    const before = sha256(readFileSync(file, 'utf8'));
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited after release\n`);
    writeFileSync(join(ws, 'migrations/V10__more.sql'), 'CREATE TABLE more_things (id int);\n');
    const after = sha256(readFileSync(file, 'utf8'));

    const run = await migrateDb(ws, db, { command: 'validate' });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toContain('migrations/V2__create_admissions.sql changed after it was applied');
    expect(errors(run)).toContain(before);
    expect(errors(run)).toContain(after);

    const migrateRun = await migrateDb(ws, db);
    expect(migrateRun.exitCode).toBe(1);
    expect(await tables(db)).not.toContain('more_things');

    // CRLF line endings or a BOM are not drift.
    writeFileSync(
      file,
      `\uFEFF${readFileSync(join(CLINICAL, 'V2__create_admissions.sql'), 'utf8').replace(/\n/g, '\r\n')}`,
    );
    const crlf = await migrateDb(ws, db, { command: 'validate' });
    expect(crlf.exitCode, crlf.stdout).toBe(0);
  });

  it('rolls a failing migration back completely and records the failure; the fixed file then applies', async () => {
    const db = await pg.createDatabase('rollback');
    const ws = workspace({
      extra: {
        'V10__add_wards.sql':
          "CREATE TABLE wards (code text PRIMARY KEY);\nINSERT INTO wards VALUES ('ICU');\nINSERT INTO wards VALUES ('ICU');\n",
      },
    });
    const run = await migrateDb(ws, db);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.applied).toBe('9');
    expect(errors(run)).toMatch(
      /migrations\/V10__add_wards\.sql:3:1: duplicate key value violates unique constraint "wards_pkey"/,
    );
    expect(errors(run)).toContain('rolled back');
    expect(await tables(db)).not.toContain('wards');
    const rows = await pg.query<{ success: boolean; error: string }>(
      db,
      "SELECT success, error FROM deploy_schema_history WHERE version = '10'",
    );
    expect(rows).toEqual([{ success: false, error: expect.stringContaining('duplicate key') }]);
    const failed = auditEvents(run).find((e) => e.type === 'dev.deploy-actions.migration.failed.v1');
    expect(failed?.data.details.sqlstate).toBe('23505');
    expect(auditEvents(run).at(-1)!.data.customData.outcome).toBe('failure');

    writeFileSync(
      join(ws, 'migrations/V10__add_wards.sql'),
      "CREATE TABLE wards (code text PRIMARY KEY);\nINSERT INTO wards VALUES ('ICU');\n",
    );
    const fixed = await migrateDb(ws, db);
    expect(fixed.exitCode, fixed.stdout).toBe(0);
    expect(fixed.outputs['applied-versions']).toBe('["10"]');
  });

  it('re-applies a repeatable migration when, and only when, its checksum changes', async () => {
    const db = await pg.createDatabase('repeatable');
    const view =
      'CREATE OR REPLACE VIEW upcoming_appointments AS\n  SELECT id, patient_id, scheduled_at FROM appointments WHERE scheduled_at > now();\n';
    const ws = workspace({ extra: { 'R__upcoming_appointments.sql': view } });
    const first = await migrateDb(ws, db);
    expect(first.exitCode, first.stdout).toBe(0);
    expect(JSON.parse(first.outputs['applied-versions']!).at(-1)).toBe('R__upcoming_appointments.sql');
    const same = await migrateDb(ws, db);
    expect(same.outputs.applied).toBe('0');
    writeFileSync(
      join(ws, 'migrations/R__upcoming_appointments.sql'),
      view.replace('scheduled_at FROM', 'scheduled_at, status FROM'),
    );
    const changed = await migrateDb(ws, db);
    expect(changed.exitCode, changed.stdout).toBe(0);
    expect(changed.outputs['applied-versions']).toBe('["R__upcoming_appointments.sql"]');
    const columns = await pg.query(
      db,
      "SELECT 1 FROM information_schema.columns WHERE table_name = 'upcoming_appointments' AND column_name = 'status'",
    );
    expect(columns).toHaveLength(1);
  });

  it('reports a syntax error with file:line:column before anything runs', async () => {
    const db = await pg.createDatabase('syntax');
    const ws = workspace({
      extra: {
        'V10__broken.sql':
          'CREATE TABLE ok_table (id int);\n\nALTER TABLE ok_table\n  ADD COLUMN note text DEFAULT;\n',
      },
    });
    const run = await migrateDb(ws, db);
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toContain('migrations/V10__broken.sql:4:31: syntax error at or near ";"');
    expect(errors(run)).toContain('nothing was applied');
    expect(await tables(db)).toEqual([]);
  });

  it('serialises two concurrent runs: the second waits for the lock and applies nothing twice', async () => {
    const db = await pg.createDatabase('concurrent');
    const ws = workspace({
      extra: { 'V10__slow.sql': 'SELECT pg_sleep(2);\nCREATE TABLE slow_done (id int);\n' },
    });
    const [a, b] = await Promise.all([migrateDb(ws, db), migrateDb(ws, db)]);
    expect(a.exitCode, a.stdout).toBe(0);
    expect(b.exitCode, b.stdout).toBe(0);
    expect(Number(a.outputs.applied) + Number(b.outputs.applied)).toBe(10);
    expect([a.outputs.applied, b.outputs.applied].sort()).toEqual(['0', '10']);
    const waiter = a.outputs.applied === '0' ? a : b;
    expect(waiter.stdout).toMatch(/waiting for the migration lock, held by pid \d+/);
    const counts = await pg.query<{ version: string; n: string }>(
      db,
      'SELECT version, count(*) AS n FROM deploy_schema_history GROUP BY version HAVING count(*) > 1',
    );
    expect(counts).toEqual([]);
  });

  it('leaves no lock behind when its connections are killed mid-migration; the next run completes', async () => {
    const db = await pg.createDatabase('killed');
    const ws = workspace({
      extra: { 'V10__slow.sql': 'CREATE TABLE slow_started (id int);\nSELECT pg_sleep(30);\n' },
    });
    const running = migrateDb(ws, db);
    // Wait until the slow statement runs, then kill every migrate-db session (work and lock).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const busy = await pg.query(
        db,
        "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND state = 'active'",
      );
      if (busy.length) break;
      if (Date.now() > deadline) throw new Error('the slow migration never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    await pg.query(
      db,
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'migrate-db%'",
    );
    const killed = await running;
    expect(killed.exitCode).toBe(1);
    expect(await tables(db)).not.toContain('slow_started');
    const locks = await pg.query(db, "SELECT 1 FROM pg_locks WHERE locktype = 'advisory'");
    expect(locks).toEqual([]);
    writeFileSync(join(ws, 'migrations/V10__slow.sql'), 'CREATE TABLE slow_started (id int);\n');
    const next = await migrateDb(ws, db, { 'lock-wait': '5s' });
    expect(next.exitCode, next.stdout).toBe(0);
    expect(next.outputs['applied-versions']).toBe('["10"]');
  });

  it('gives up waiting for the lock after lock-wait, naming the holder', async () => {
    const db = await pg.createDatabase('lockwait');
    const ws = workspace();
    const holder = pg.client(db);
    await holder.connect();
    try {
      // Take the lock the action would take: find the key from a run that waits.
      const first = await migrateDb(ws, db, { 'dry-run': 'true' });
      expect(first.exitCode).toBe(0);
      const { lockKey } = await import('../../../actions/migrate-db/lock.js');
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [
        lockKey(db, 'public', 'deploy_schema_history').toString(),
      ]);
      const started = Date.now();
      const run = await migrateDb(ws, db, { 'lock-wait': '1500ms' });
      expect(run.exitCode).toBe(1);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(errors(run)).toMatch(/another migration holds the migration lock: pid \d+ \(user postgres/);
      expect(await tables(db)).toEqual([]);
    } finally {
      await holder.end();
    }
  });

  it('retries a transactional migration that hits lock_timeout (55P03) and then applies it', async () => {
    const db = await pg.createDatabase('locktimeout');
    const ws = workspace();
    expect((await migrateDb(ws, db)).exitCode).toBe(0);
    writeFileSync(join(ws, 'migrations/V10__note.sql'), 'ALTER TABLE patients ADD COLUMN note text;\n');
    const blocker = pg.client(db);
    await blocker.connect();
    await blocker.query('BEGIN; LOCK TABLE patients IN ACCESS SHARE MODE');
    const release = setTimeout(() => void blocker.query('COMMIT'), 2500);
    try {
      const run = await migrateDb(ws, db, { 'lock-timeout': '300ms' });
      expect(run.exitCode, run.stdout).toBe(0);
      expect(
        run.annotations.some((a) => a.level === 'warning' && /lock_timeout \(300 ms\)/.test(a.message)),
      ).toBe(true);
      const applied = auditEvents(run).find((e) => e.type === 'dev.deploy-actions.migration.applied.v1');
      expect(applied!.data.details.attempts).toBeGreaterThan(1);
    } finally {
      clearTimeout(release);
      await blocker.end();
    }
  });

  it('resumes a statement-by-statement file where it stopped', async () => {
    const db = await pg.createDatabase('resume');
    const ws = workspace({
      extra: {
        'V10__late_indexes.sql':
          'CREATE INDEX CONCURRENTLY audit_logs_actor_idx ON audit_logs (actor);\nCREATE INDEX CONCURRENTLY late_table_idx ON late_table (id);\n',
      },
    });
    const first = await migrateDb(ws, db);
    expect(first.exitCode).toBe(1);
    expect(errors(first)).toContain('migrations/V10__late_indexes.sql:2:');
    expect(errors(first)).toContain('1 of 2 statement(s) completed');
    await pg.query(db, 'CREATE TABLE late_table (id int)');
    const second = await migrateDb(ws, db);
    expect(second.exitCode, second.stdout).toBe(0);
    expect(second.stdout).toContain('resuming after statement 1 of 2');
    const applied = auditEvents(second).find((e) => e.type === 'dev.deploy-actions.migration.applied.v1');
    expect(applied!.data.details.resumedFrom).toBe(1);
  });

  it('fails fast on a wrong password, naming the host and masking the password', async () => {
    const db = await pg.createDatabase('auth');
    const wrong = 'Wrong-Pa55word-xyzzy';
    const started = Date.now();
    const run = await runAction({
      action: 'migrate-db',
      workspace: workspace(),
      inputs: { environment: 'staging', 'database-url': pg.url(db, { password: wrong }), backup: 'false' },
    });
    expect(run.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(errors(run)).toContain(`cannot connect to PostgreSQL at 127.0.0.1:${pg.port}`);
    expect(errors(run)).toContain('password authentication failed for user "postgres"');
    expect(findLeaks(run, wrong)).toEqual([]);
    expect(run.masks).toContain(wrong);
    expect(findLeaks(run, SUPERUSER_PASSWORD)).toEqual([]);
  });

  it('fails fast when the host is unreachable', async () => {
    const port = await freePort();
    const started = Date.now();
    const run = await runAction({
      action: 'migrate-db',
      workspace: workspace(),
      inputs: {
        environment: 'staging',
        'database-url': `postgres://deploy:Secret-Unreach-1@127.0.0.1:${port}/patients?sslmode=disable`,
        backup: 'false',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(errors(run)).toContain(`cannot connect to PostgreSQL at 127.0.0.1:${port}`);
    expect(errors(run)).toContain('connection refused');
    expect(findLeaks(run, 'Secret-Unreach-1')).toEqual([]);
  });
});

describe('migrate-db lint gate', () => {
  const UNSAFE =
    'ALTER TABLE patients ADD COLUMN ward_code text NOT NULL;\nCREATE INDEX patients_birth_date_idx ON patients (birth_date);\n';

  it('blocks unsafe DDL in production before anything runs, and only warns in staging', async () => {
    const db = await pg.createDatabase('lint');
    const ws = workspace({ extra: { 'V10__unsafe.sql': UNSAFE } });
    const prod = await migrateDb(ws, db, { environment: 'production' });
    expect(prod.exitCode).toBe(1);
    const message = errors(prod);
    expect(message).toContain('lint: 2 finding(s) block this migration in production');
    expect(message).toContain('migrations/V10__unsafe.sql:1:1 adding-not-null-column-without-default');
    expect(message).toContain('migrations/V10__unsafe.sql:2:1 creating-index-non-concurrently');
    expect(message).toContain('CREATE INDEX CONCURRENTLY');
    expect(await tables(db)).toEqual([]);
    expect(
      JSON.parse(prod.outputs['lint-findings']!).map(
        (f: { rule: string; severity: string }) => `${f.rule}:${f.severity}`,
      ),
    ).toEqual([
      'dropping-column:waived',
      'adding-not-null-column-without-default:error',
      'creating-index-non-concurrently:error',
    ]);
    const annotated = prod.annotations.find(
      (a) => a.properties.title === 'migrate-db lint: creating-index-non-concurrently',
    );
    expect(annotated?.properties).toMatchObject({ file: 'migrations/V10__unsafe.sql', line: '2' });

    const staging = await migrateDb(ws, db, { environment: 'staging', 'migrations-dir': 'migrations' });
    expect(staging.exitCode, staging.stdout).toBe(0);
    expect(staging.annotations.filter((a) => a.level === 'warning').length).toBeGreaterThanOrEqual(2);
  });

  it('accepts a waiver with a reason and records it in the audit event', async () => {
    const db = await pg.createDatabase('waiver');
    const ws = workspace({
      extra: {
        'V10__unsafe.sql': `-- migrate-db:allow adding-not-null-column-without-default patients is empty until go-live (CHG-1234)\n-- migrate-db:allow creating-index-non-concurrently patients is empty until go-live (CHG-1234)\n${UNSAFE}`,
      },
    });
    const run = await migrateDb(ws, db, { environment: 'production' });
    expect(run.exitCode, run.stdout).toBe(0);
    const event = auditEvents(run).find(
      (e) => e.type === 'dev.deploy-actions.migration.applied.v1' && e.subject === '10',
    );
    expect(event!.data.details.waivers).toEqual([
      {
        rule: 'adding-not-null-column-without-default',
        reason: 'patients is empty until go-live (CHG-1234)',
      },
      { rule: 'creating-index-non-concurrently', reason: 'patients is empty until go-live (CHG-1234)' },
    ]);
  });

  it('takes the environment lint severity from the config', async () => {
    const db = await pg.createDatabase('lintcfg');
    const ws = workspace({
      environment: 'staging',
      config: 'environment:\n  name: staging\ndatabase:\n  migrations:\n    lint: error\n',
      extra: { 'V10__unsafe.sql': UNSAFE },
    });
    const run = await migrateDb(ws, db);
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toContain('block this migration in staging (lint: error)');
  });
});

describe('migrate-db backup, down and baseline', () => {
  it('backs up with pg_dump before migrating and puts its SHA-256 in the audit event', async () => {
    const db = await pg.createDatabase('backup');
    const ws = workspace();
    const run = await migrateDb(ws, db, { backup: 'true', 'backup-path': 'backups/pre.dump' });
    expect(run.exitCode, run.stdout).toBe(0);
    const path = join(ws, 'backups/pre.dump');
    expect(run.outputs.backup).toBe(path);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('PGDMP');
    const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
    const event = auditEvents(run).find((e) => e.type === 'dev.deploy-actions.backup.created.v1');
    expect(event!.data.digest).toBe(`sha256:${digest}`);
    expect(event!.data.details.mode).toBe('schema');
  });

  it('refuses to migrate when the backup fails', async () => {
    const db = await pg.createDatabase('badbackup');
    const ws = workspace();
    writeFileSync(join(ws, 'not-a-dir'), '');
    const run = await migrateDb(ws, db, { backup: 'true', 'backup-path': 'not-a-dir/pre.dump' });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toMatch(/backup|EEXIST|ENOTDIR/);
    expect(await tables(db)).toEqual([]);
  });

  it('reverts to a target version with the undo scripts, in reverse order', async () => {
    const db = await pg.createDatabase('down');
    const ws = workspace();
    expect((await migrateDb(ws, db)).exitCode).toBe(0);
    await pg.query(
      db,
      "INSERT INTO patients (mrn, family_name, given_name, birth_date, contact_phone_e164) VALUES ('M1', 'Doe', 'Jo', '1980-01-01', '+15551234567')",
    );
    const run = await migrateDb(ws, db, { command: 'down', 'target-version': '4' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['current-version']).toBe('4');
    const columns = await pg.query<{ c: string }>(
      db,
      "SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'patients' ORDER BY ordinal_position",
    );
    expect(columns.map((c) => c.c)).toContain('phone');
    expect(columns.map((c) => c.c)).not.toContain('contact_phone_e164');
    const idx = await pg.query(
      db,
      "SELECT 1 FROM pg_indexes WHERE indexname = 'appointments_patient_id_idx'",
    );
    expect(idx).toEqual([]);
    const reverted = auditEvents(run).filter((e) => e.type === 'dev.deploy-actions.migration.reverted.v1');
    expect(reverted.map((e) => e.subject)).toEqual(['9', '8', '7', '6', '5']);
    // And forward again.
    const up = await migrateDb(ws, db);
    expect(up.exitCode, up.stdout).toBe(0);
    expect(up.outputs['applied-versions']).toBe('["5","6","7","8","9"]');
  });

  it('refuses down before changing anything when an undo script is missing', async () => {
    const db = await pg.createDatabase('downmissing');
    const ws = workspace();
    expect((await migrateDb(ws, db)).exitCode).toBe(0);
    // The history keeps the undo text; without it and without the file, down must refuse.
    await pg.query(db, "UPDATE deploy_schema_history SET undo_script = NULL WHERE version = '7'");
    const ws2 = workspace({ without: ['U7__backfill_contact_phone.sql'] });
    const run = await migrateDb(ws2, db, { command: 'down', 'target-version': '5' });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toContain('no undo script for 7 (V7__backfill_contact_phone.sql)');
    const rows = await pg.query(db, "SELECT 1 FROM deploy_schema_history WHERE type = 'UNDO'");
    expect(rows).toEqual([]);
  });

  it('baselines an existing database, then applies only what is newer', async () => {
    const db = await pg.createDatabase('baseline');
    const ws = workspace();
    // An existing database built by hand up to version 4.
    for (const v of [
      'V1__create_patients.sql',
      'V2__create_admissions.sql',
      'V3__create_appointments.sql',
      'V4__create_audit_logs.sql',
    ]) {
      await pg.query(db, readFileSync(join(CLINICAL, v), 'utf8'));
    }
    const base = await migrateDb(ws, db, { command: 'baseline', 'target-version': '4' });
    expect(base.exitCode, base.stdout).toBe(0);
    expect(base.outputs['current-version']).toBe('4');
    const run = await migrateDb(ws, db);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['applied-versions']).toBe('["5","6","7","8","9"]');
    expect(run.outputs['previous-version']).toBe('4');
    const again = await migrateDb(ws, db, { command: 'baseline', 'target-version': '4' });
    expect(again.exitCode).toBe(1);
    expect(errors(again)).toContain('a baseline only marks a database that has none');
  });

  it('adopts an existing Flyway history after checking its CRC32s, re-running nothing', async () => {
    const { flywayChecksum } = await import('../../../actions/migrate-db/flyway.js');
    const db = await pg.createDatabase('flyway');
    const ws = workspace();
    const files = [
      'V1__create_patients.sql',
      'V2__create_admissions.sql',
      'V3__create_appointments.sql',
      'V4__create_audit_logs.sql',
    ];
    await pg.query(
      db,
      `CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
        type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
        installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL)`,
    );
    for (const [i, name] of files.entries()) {
      const text = readFileSync(join(CLINICAL, name), 'utf8');
      await pg.query(db, text);
      await pg.query(
        db,
        "INSERT INTO flyway_schema_history VALUES ($1, $2, $3, 'SQL', $4, $5, 'flyway', now(), 12, true)",
        [
          i + 1,
          String(i + 1),
          name.replace(/^V\d+__|\.sql$/g, '').replace(/_/g, ' '),
          name,
          flywayChecksum(text),
        ],
      );
    }
    // A file edited after Flyway applied it is refused, naming both CRC32s.
    const v3 = join(ws, 'migrations/V3__create_appointments.sql');
    const original = readFileSync(v3, 'utf8');
    writeFileSync(v3, `${original}-- edited\n`);
    const drift = await migrateDb(ws, db);
    expect(drift.exitCode).toBe(1);
    expect(errors(drift)).toContain(
      'migrations/V3__create_appointments.sql changed after Flyway applied it: CRC32',
    );
    expect(await tables(db)).not.toContain('deploy_schema_history');

    writeFileSync(v3, original);
    const run = await migrateDb(ws, db);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['previous-version']).toBe('4');
    expect(run.outputs['applied-versions']).toBe('["5","6","7","8","9"]');
    const adopted = await pg.query<{ version: string; type: string; checksum: string }>(
      db,
      "SELECT version, type, checksum FROM deploy_schema_history WHERE type = 'ADOPTED' ORDER BY installed_rank",
    );
    expect(adopted.map((r) => r.version)).toEqual(['1', '2', '3', '4']);
    expect(adopted[0]!.checksum).toBe(sha256(readFileSync(join(CLINICAL, files[0]!), 'utf8')));
    expect(auditEvents(run).some((e) => e.type === 'dev.deploy-actions.history.adopted.v1')).toBe(true);
  });
});
