import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../../shared/errors.js';
import { redactString } from '../../shared/secrets.js';
import { type ConnectionTarget, libpqEnv } from './connect.js';

/**
 * pg_dump (custom format) before migrating. Debian's /usr/bin/pg_dump picks the newest installed
 * client; a pg_dump older than the server cannot dump it, so that is checked first. Schema only
 * unless the config asks for data: a data dump of a clinical database is PHI.
 */

export interface BackupResult {
  path: string;
  sha256: string;
  bytes: number;
  mode: 'schema' | 'data';
  durationMs: number;
  pgDumpVersion: string;
}

/** pg_dump on PATH, else the newest under /usr/lib/postgresql/<major>/bin. */
export function findPgDump(): string {
  const which = spawnSync('sh', ['-c', 'command -v pg_dump'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const majors = readdirSync(base)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const candidate = join(base, major, 'bin', 'pg_dump');
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new UserError('backup: pg_dump is not installed (apt-get install postgresql-client)');
}

export function pgDumpMajor(pgDump: string): { major: number; text: string } {
  const out = spawnSync(pgDump, ['--version'], { encoding: 'utf8' });
  const text = (out.stdout ?? '').trim();
  const match = /(\d+)(?:\.(\d+))?/.exec(text.replace(/^[^\d]*/, ''));
  if (out.status !== 0 || !match) throw new UserError(`backup: cannot run ${pgDump} --version`);
  return { major: Number(match[1]), text };
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function runBackup(options: {
  target: ConnectionTarget;
  path: string;
  mode: 'schema' | 'data';
  serverVersion: number;
  signal?: AbortSignal;
}): Promise<BackupResult> {
  const pgDump = findPgDump();
  const { major, text } = pgDumpMajor(pgDump);
  const serverMajor = Math.floor(options.serverVersion / 10000);
  if (major < serverMajor) {
    throw new UserError(
      `backup: ${text} is older than the server (PostgreSQL ${serverMajor}) and cannot dump it; install postgresql-client-${serverMajor} or newer. Nothing was migrated`,
    );
  }
  mkdirSync(dirname(options.path), { recursive: true });
  const args = ['--format=custom', '--no-password', `--file=${options.path}`];
  if (options.mode === 'schema') args.push('--schema-only');
  const started = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(pgDump, args, {
      env: { ...process.env, ...libpqEnv(options.target) },
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stderr: err }));
  });
  if (code !== 0) {
    throw new UserError(
      `backup: pg_dump failed (exit ${code}): ${redactString(stderr.trim()).slice(0, 2000)}. Nothing was migrated`,
    );
  }
  return {
    path: options.path,
    sha256: await sha256File(options.path),
    bytes: statSync(options.path).size,
    mode: options.mode,
    durationMs: Math.round(performance.now() - started),
    pgDumpVersion: text,
  };
}
