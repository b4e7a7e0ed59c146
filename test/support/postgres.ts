import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/**
 * A throwaway PostgreSQL cluster from Debian's binaries (/usr/lib/postgresql/<major>/bin):
 * initdb into a temp directory (as the postgres user when the tests run as root, since the
 * server refuses to run as root), password (SCRAM) authentication, listening on a free port on
 * 127.0.0.1 only. Each test creates its own database; stop() removes everything.
 */

export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'harness-pg-Secret-7f3a';

export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base)
    ? readdirSync(base)
        .filter((d) => /^\d+$/.test(d) && existsSync(join(base, d, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors.length)
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)',
    );
  return join(base, majors[0]!, 'bin');
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export class PostgresCluster {
  readonly host = '127.0.0.1';
  port = 0;
  private dir = '';
  private server: ChildProcess | undefined;
  private readonly bin = postgresBinDir();
  private readonly ids = postgresIds();
  private counter = 0;

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  private run(command: string, args: string[]): string {
    const file = join(this.bin, command);
    // uid/gid switch the child to the postgres user when running as root.
    return execFileSync(file, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.ids ? { uid: this.ids.uid, gid: this.ids.gid } : {}),
      env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' },
    });
  }

  async start(): Promise<this> {
    this.dir = mkdtempSync(join(tmpdir(), 'pg-cluster-'));
    const pwfile = join(this.dir, 'pwfile');
    writeFileSync(pwfile, `${SUPERUSER_PASSWORD}\n`);
    if (this.ids) {
      chownSync(this.dir, this.ids.uid, this.ids.gid);
      chownSync(pwfile, this.ids.uid, this.ids.gid);
    }
    this.run('initdb', [
      '-D',
      this.dataDir,
      '-U',
      SUPERUSER,
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '--encoding=UTF8',
      '--no-sync',
    ]);
    this.port = await freePort();
    const server = spawn(
      join(this.bin, 'postgres'),
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${this.dir}`,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=100',
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        ...(this.ids ? { uid: this.ids.uid, gid: this.ids.gid } : {}),
        env: { ...process.env, LC_ALL: 'C.UTF-8' },
      },
    );
    let log = '';
    server.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    this.server = server;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`postgres exited: ${log}`);
      try {
        const client = this.client('postgres');
        await client.connect();
        await client.end();
        break;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`postgres did not start: ${(error as Error).message}\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return this;
  }

  client(database: string): pg.Client {
    const client = new pg.Client({
      host: this.host,
      port: this.port,
      user: SUPERUSER,
      password: SUPERUSER_PASSWORD,
      database,
    });
    client.on('error', () => {});
    return client;
  }

  /** Runs SQL in a database on a short-lived connection. */
  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    database: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const client = this.client(database);
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** A fresh, empty database with a unique name. */
  async createDatabase(prefix = 'test'): Promise<string> {
    const name = `${prefix.replace(/\W/g, '_').toLowerCase()}_${process.pid}_${++this.counter}`;
    await this.query('postgres', `CREATE DATABASE "${name}"`);
    return name;
  }

  url(database: string, options: { password?: string; user?: string } = {}): string {
    const password = encodeURIComponent(options.password ?? SUPERUSER_PASSWORD);
    return `postgres://${options.user ?? SUPERUSER}:${password}@${this.host}:${this.port}/${database}?sslmode=disable`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server && server.exitCode === null) {
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      server.kill('SIGINT'); // fast shutdown
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function startPostgres(): Promise<PostgresCluster> {
  return new PostgresCluster().start();
}
