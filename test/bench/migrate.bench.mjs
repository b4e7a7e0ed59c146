// migrate-db vs node-pg-migrate on the same SQL, in one run against one throwaway PostgreSQL:
//   1. apply 500 small migrations (a table and an index each) to an empty database;
//   2. a no-op run with nothing pending (migrate-db: validate, and migrate; node-pg-migrate: up).
// Both run as the CI would run them: a fresh Node process each (migrate-db's committed bundle with
// INPUT_* variables as the runner sets them; node-pg-migrate's CLI). node-pg-migrate is timed with
// one transaction per migration (--no-single-transaction, the same unit migrate-db uses) and with
// its default single transaction. Run after `npm run build`:
//   node test/bench/migrate.bench.mjs [--count 500] [--json] [--bundle dist/migrate-db/index.js]
// (Node 24: it imports the TypeScript test support directly.)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../support/postgres.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const count = Number(args[args.indexOf('--count') + 1] ?? 500) || 500;
const json = args.includes('--json');
const bundle = args.includes('--bundle')
  ? resolve(args[args.indexOf('--bundle') + 1])
  : join(root, 'dist/migrate-db/index.js');

function sql(n) {
  const t = `bench_t${String(n).padStart(4, '0')}`;
  return `CREATE TABLE ${t} (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\nCREATE INDEX ${t}_name_idx ON ${t} (name);\n`;
}

function run(command, argv, env) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${command} ${argv.join(' ')} exited ${code}:\n${out.slice(-3000)}`));
      else resolvePromise(ms);
    });
  });
}

const base = mkdtempSync(join(tmpdir(), 'migrate-bench-'));
const ours = join(base, 'workspace');
const theirs = join(base, 'node-pg-migrate');
mkdirSync(join(ours, 'migrations'), { recursive: true });
mkdirSync(theirs, { recursive: true });
for (let n = 1; n <= count; n++) {
  writeFileSync(join(ours, 'migrations', `V${n}__bench_${n}.sql`), sql(n));
  writeFileSync(
    join(theirs, `${String(n).padStart(4, '0')}_bench_${n}.sql`),
    `-- Up Migration\n${sql(n)}-- Down Migration\nDROP TABLE bench_t${String(n).padStart(4, '0')};\n`,
  );
}

const pg = await startPostgres();
try {
  const migrateDb = async (database, command) => {
    const temp = mkdtempSync(join(base, 'runner-'));
    const files = {};
    for (const name of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_STATE']) {
      files[name] = join(temp, name.toLowerCase());
      writeFileSync(files[name], '');
    }
    return run(process.execPath, [bundle], {
      ...files,
      GITHUB_WORKSPACE: ours,
      RUNNER_TEMP: temp,
      INPUT_ENVIRONMENT: 'bench',
      'INPUT_DATABASE-URL': pg.url(database),
      INPUT_COMMAND: command,
      INPUT_BACKUP: 'false',
      INPUT_LINT: 'auto',
    });
  };
  const nodePgMigrate = (database, extra = []) =>
    run(
      process.execPath,
      [
        join(root, 'node_modules/node-pg-migrate/bin/node-pg-migrate.js'),
        'up',
        '--migrations-dir',
        theirs,
        '--database-url-var',
        'BENCH_DATABASE_URL',
        '--migration-file-language',
        'sql',
        ...extra,
      ],
      { BENCH_DATABASE_URL: pg.url(database) },
    );

  const dbOurs = await pg.createDatabase('bench_ours');
  const dbTheirs = await pg.createDatabase('bench_npm_tx');
  const dbTheirsSingle = await pg.createDatabase('bench_npm_single');

  // Warm the file cache and the server once so neither tool pays for the first touch alone.
  const warm = await pg.createDatabase('bench_warm');
  await pg.query(warm, sql(0));

  const applyOurs = await migrateDb(dbOurs, 'migrate');
  const applyTheirs = await nodePgMigrate(dbTheirs, ['--no-single-transaction']);
  const applyTheirsSingle = await nodePgMigrate(dbTheirsSingle);
  const validateOurs = await migrateDb(dbOurs, 'validate');
  const noopOurs = await migrateDb(dbOurs, 'migrate');
  const noopTheirs = await nodePgMigrate(dbTheirs, ['--no-single-transaction']);

  const [{ n: appliedOurs }] = await pg.query(
    dbOurs,
    'SELECT count(*)::int AS n FROM deploy_schema_history WHERE success',
  );
  const [{ n: appliedTheirs }] = await pg.query(dbTheirs, 'SELECT count(*)::int AS n FROM pgmigrations');
  if (appliedOurs !== count || appliedTheirs !== count) {
    throw new Error(
      `expected ${count} applied by each, got migrate-db ${appliedOurs}, node-pg-migrate ${appliedTheirs}`,
    );
  }

  const r = (x) => Math.round(x);
  const result = {
    migrations: count,
    apply: {
      migrateDbMs: r(applyOurs),
      nodePgMigratePerMigrationTxMs: r(applyTheirs),
      nodePgMigrateSingleTxMs: r(applyTheirsSingle),
      ratioPerMigrationTx: +(applyOurs / applyTheirs).toFixed(2),
      ratioSingleTx: +(applyOurs / applyTheirsSingle).toFixed(2),
    },
    noop: {
      migrateDbValidateMs: r(validateOurs),
      migrateDbMigrateMs: r(noopOurs),
      nodePgMigrateUpMs: r(noopTheirs),
      ratio: +(noopOurs / noopTheirs).toFixed(2),
    },
  };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(
      `${count} small migrations (CREATE TABLE + CREATE INDEX each), fresh process per run, same PostgreSQL:`,
    );
    console.log('');
    console.log('| Run | migrate-db | node-pg-migrate | ratio |');
    console.log('|---|---|---|---|');
    console.log(
      `| apply ${count}, one transaction per migration | ${result.apply.migrateDbMs} ms | ${result.apply.nodePgMigratePerMigrationTxMs} ms | ${result.apply.ratioPerMigrationTx}× |`,
    );
    console.log(
      `| apply ${count}, node-pg-migrate's default single transaction | ${result.apply.migrateDbMs} ms | ${result.apply.nodePgMigrateSingleTxMs} ms | ${result.apply.ratioSingleTx}× |`,
    );
    console.log(
      `| nothing pending: migrate-db validate / node-pg-migrate up | ${result.noop.migrateDbValidateMs} ms | ${result.noop.nodePgMigrateUpMs} ms | ${+(validateOurs / noopTheirs).toFixed(2)}× |`,
    );
    console.log(
      `| nothing pending: migrate (plan + validate) / up | ${result.noop.migrateDbMigrateMs} ms | ${result.noop.nodePgMigrateUpMs} ms | ${result.noop.ratio}× |`,
    );
  }
} finally {
  await pg.stop();
  rmSync(base, { recursive: true, force: true });
}
