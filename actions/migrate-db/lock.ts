import { createHash } from 'node:crypto';
import type pg from 'pg';
import { UserError } from '../../shared/errors.js';
import { sleep } from '../../shared/retry.js';

/**
 * A session-level advisory lock taken with pg_try_advisory_lock, polled, on a connection of its
 * own that never opens a transaction. A waiting run holds no snapshot between polls, so it cannot
 * stall the holder's CREATE INDEX CONCURRENTLY (which waits for every older snapshot), as a
 * blocking pg_advisory_lock would; and the lock dies with the session if the runner is killed.
 */

/** A signed 64-bit key from database + schema + history table. */
export function lockKey(database: string, schema: string, table: string): bigint {
  const digest = createHash('sha256').update(`migrate-db\0${database}\0${schema}\0${table}`).digest();
  return digest.readBigInt64BE(0);
}

export interface LockHolder {
  pid: number;
  user: string | null;
  application: string | null;
  clientAddr: string | null;
  since: Date | null;
  state: string | null;
}

export async function lockHolders(client: pg.Client, key: bigint): Promise<LockHolder[]> {
  const unsigned = BigInt.asUintN(64, key);
  const classid = Number(unsigned >> 32n);
  const objid = Number(unsigned & 0xffffffffn);
  const result = await client.query<LockHolder>(
    `SELECT a.pid, a.usename AS "user", a.application_name AS application, a.client_addr::text AS "clientAddr",
            a.backend_start AS since, a.state
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid
        AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [classid, objid],
  );
  return result.rows;
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid}${h.user ? ` (user ${h.user}` : ' ('}${h.application ? `, application "${h.application}"` : ''}${
    h.clientAddr ? `, from ${h.clientAddr}` : ''
  }${h.since ? `, connected since ${h.since.toISOString()}` : ''})`;
}

export interface AcquireOptions {
  waitMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** Polls until the lock is ours; UserError after `waitMs`, naming who holds it. Returns the wait in ms. */
export async function acquireLock(client: pg.Client, key: bigint, options: AcquireOptions): Promise<number> {
  const started = Date.now();
  const poll = options.pollMs ?? 500;
  let lastReport = 0;
  for (;;) {
    const result = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [
      key.toString(),
    ]);
    if (result.rows[0]?.ok) return Date.now() - started;
    const waited = Date.now() - started;
    if (waited >= options.waitMs || options.signal?.aborted) {
      const holders = await lockHolders(client, key).catch(() => []);
      throw new UserError(
        `another migration holds the migration lock${holders.length ? `: ${holders.map(describeHolder).join('; ')}` : ''}; gave up after ${Math.round(waited / 1000)} s (input "lock-wait")`,
      );
    }
    if (waited - lastReport >= 5_000 || lastReport === 0) {
      lastReport = waited || 1;
      const holders = await lockHolders(client, key).catch(() => []);
      options.log?.(
        `waiting for the migration lock, held by ${holders.length ? holders.map(describeHolder).join('; ') : 'another session'}`,
      );
    }
    await sleep(Math.min(poll, Math.max(1, options.waitMs - waited)), options.signal).catch(() => {});
  }
}

export async function releaseLock(client: pg.Client, key: bigint): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1::bigint)', [key.toString()]);
}
