import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1 and localhost,
 * made with the `openssl` command line (node:crypto parses X.509 but cannot issue it). kubectl
 * sends a bearer token only over TLS, and Go verifies the chain strictly: the CA carries
 * `CA:TRUE` and `keyCertSign`, the server certificate `serverAuth` and the subject
 * alternative names the client dials.
 */

const run = promisify(execFile);

export interface TlsMaterial {
  /** PEM of the CA certificate (what `certificate-authority-data` carries, base64-encoded). */
  caCert: string;
  /** PEM of the server certificate, signed by the CA. */
  cert: string;
  /** PEM of the server's private key. */
  key: string;
}

export interface TlsOptions {
  /** Subject alternative names: IP addresses and DNS names (default 127.0.0.1, ::1 and localhost). */
  hosts?: string[];
  /** Validity in days (default 7). */
  days?: number;
  /** The openssl executable (default `openssl` on PATH). */
  openssl?: string;
}

function altNames(hosts: string[]): string {
  return hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(', ');
}

export async function generateTlsMaterial(options: TlsOptions = {}): Promise<TlsMaterial> {
  const openssl = options.openssl ?? 'openssl';
  const days = String(options.days ?? 7);
  const hosts = options.hosts ?? ['127.0.0.1', '::1', 'localhost'];
  const dir = await mkdtemp(join(tmpdir(), 'kube-sim-tls-'));
  const file = (name: string) => join(dir, name);
  // A config of its own, so the system's openssl.cnf adds nothing unexpected.
  const config = [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    'CN = kube-sim',
    '[ca_ext]',
    'basicConstraints = critical, CA:TRUE',
    'keyUsage = critical, keyCertSign, cRLSign, digitalSignature',
    'subjectKeyIdentifier = hash',
    '[server_ext]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = ${altNames(hosts)}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await writeFile(file('openssl.cnf'), config);
    const cnf = file('openssl.cnf');
    await run(openssl, [
      'req',
      '-x509',
      '-new',
      '-config',
      cnf,
      '-extensions',
      'ca_ext',
      ...ec,
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.crt'),
      '-days',
      days,
      '-subj',
      '/CN=kube-sim-ca',
    ]);
    await run(openssl, [
      'req',
      '-new',
      '-config',
      cnf,
      ...ec,
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
      '-subj',
      '/CN=kube-sim',
    ]);
    await run(openssl, [
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      days,
      '-extfile',
      cnf,
      '-extensions',
      'server_ext',
      '-out',
      file('server.crt'),
    ]);
    const [caCert, cert, key] = await Promise.all(
      ['ca.crt', 'server.crt', 'server.key'].map((name) => readFile(file(name), 'utf8')),
    );
    return { caCert: caCert!, cert: cert!, key: key! };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(`kube-sim: TLS needs the openssl command line, and "${openssl}" was not found`);
    }
    throw new Error(`kube-sim: openssl failed to make the TLS certificates: ${e.stderr || e.message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
