import pg from 'pg';
import type { EnvironmentConfig } from '../../shared/config/index.js';
import { UserError } from '../../shared/errors.js';
import { redactString, registerSecret } from '../../shared/secrets.js';

/**
 * Where to connect, from the `database-url` input or the config (`database.url`, or host, port,
 * name, user, password). The password is masked the moment it is known and never appears in a
 * message; messages name the host, port, database and user instead.
 */

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  sslMode: SslMode;
}

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export function resolveTarget(urlInput: string | undefined, config: EnvironmentConfig): ConnectionTarget {
  const db = config.database;
  const raw = urlInput ?? db.url;
  let host = db.host;
  let port = db.port ?? 5432;
  let database = db.name;
  let user = db.user;
  let password = db.password;
  let urlSslMode: string | undefined;
  if (raw) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UserError(
        `${urlInput ? 'input "database-url"' : 'database.url'}: expected postgres://user[:password]@host[:port]/database`,
      );
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new UserError(
        `${urlInput ? 'input "database-url"' : 'database.url'}: expected a postgres:// URL, got the scheme ${url.protocol}`,
      );
    }
    if (url.password) {
      password = decodeURIComponent(url.password);
      registerSecret(url.password);
    }
    host = decodeURIComponent(url.hostname) || host;
    port = url.port ? Number(url.port) : port;
    database = decodeURIComponent(url.pathname.replace(/^\//, '')) || database;
    user = url.username ? decodeURIComponent(url.username) : user;
    urlSslMode = url.searchParams.get('sslmode') ?? undefined;
  }
  if (password) registerSecret(password);
  if (!host || !database || !user) {
    throw new UserError(
      'no database to migrate: set the "database-url" input or database.url (or database.host, database.name and database.user) in the environment config',
    );
  }
  let sslMode: SslMode = db.sslMode ?? (db.ssl ? 'require' : 'disable');
  if (urlSslMode) {
    if (!(SSL_MODES as readonly string[]).includes(urlSslMode)) {
      throw new UserError(`database URL: sslmode "${urlSslMode}" is not one of ${SSL_MODES.join(', ')}`);
    }
    sslMode = urlSslMode as SslMode;
  }
  return { host, port, database, user, ...(password ? { password } : {}), sslMode };
}

export function describeTarget(target: ConnectionTarget): string {
  return `${target.user}@${target.host}:${target.port}/${target.database}`;
}

function sslOption(mode: SslMode): pg.ClientConfig['ssl'] {
  switch (mode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      // node-postgres cannot fall back between plain and TLS; these modes start plain.
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

export interface ConnectOptions {
  applicationName?: string;
  connectTimeoutMs?: number;
}

/** Opens one connection; failures become a UserError naming the server and never the password. */
export async function connect(target: ConnectionTarget, options: ConnectOptions = {}): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    ...(target.password !== undefined ? { password: target.password } : {}),
    ssl: sslOption(target.sslMode),
    application_name: options.applicationName ?? 'migrate-db',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // A connection that dies later (server restart, killed backend) surfaces on the next query;
  // without a listener the 'error' event would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw connectionError(target, error);
  }
  return client;
}

export function connectionError(target: ConnectionTarget, error: unknown): UserError {
  const e = error as { code?: string; message?: string };
  const where = `${target.host}:${target.port}`;
  let why: string;
  switch (e.code) {
    case '28P01':
      why = `password authentication failed for user "${target.user}"`;
      break;
    case '28000':
      why = `the server refused user "${target.user}" (check pg_hba.conf and the sslmode)`;
      break;
    case '3D000':
      why = `database "${target.database}" does not exist`;
      break;
    case 'ECONNREFUSED':
      why = 'connection refused (is the server running and listening there?)';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      why = `the host name ${target.host} does not resolve`;
      break;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      why = 'the host is unreachable';
      break;
    default:
      why = e.message ?? String(error);
  }
  return new UserError(
    redactString(
      `cannot connect to PostgreSQL at ${where} (database "${target.database}", user "${target.user}"): ${why}`,
    ),
  );
}

/** Environment for libpq tools (pg_dump) reaching the same server. */
export function libpqEnv(target: ConnectionTarget): Record<string, string> {
  return {
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGDATABASE: target.database,
    PGUSER: target.user,
    PGSSLMODE: target.sslMode,
    PGCONNECT_TIMEOUT: '10',
    ...(target.password !== undefined ? { PGPASSWORD: target.password } : {}),
  };
}
