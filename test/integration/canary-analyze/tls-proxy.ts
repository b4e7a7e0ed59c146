import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A loopback HTTPS server in front of a plain-HTTP Prometheus, counting the TCP connections it
 * accepts and the requests that got through the handshake.
 */
export class TlsProxy {
  connections = 0;
  requests = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly upstream: () => string,
    private readonly options: ServerOptions,
  ) {}

  async start(): Promise<string> {
    this.server = createServer(this.options, (req, res) => {
      this.requests++;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        try {
          const response = await fetch(`${this.upstream()}${req.url}`, {
            method: req.method,
            headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
            body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
          });
          res.writeHead(response.status, { 'content-type': 'application/json' });
          res.end(Buffer.from(await response.arrayBuffer()));
        } catch (error) {
          res.writeHead(502).end(String(error));
        }
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A failed handshake is the client's business here; do not let it crash the test process.
    this.server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('TLS proxy not started');
    return `https://127.0.0.1:${address.port}`;
  }

  reset(): void {
    this.connections = 0;
    this.requests = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * A throwaway CA and a client certificate it signed (`clientAuth`), made with the openssl
 * command line like the server material of test/support/kube-sim/tls.ts, which only issues
 * server certificates.
 */
export async function clientCertificate(): Promise<{ caCert: string; cert: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'prometheus-client-tls-'));
  const file = (name: string) => join(dir, name);
  const config = [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    'CN = canary-analyze',
    '[ca_ext]',
    'basicConstraints = critical, CA:TRUE',
    'keyUsage = critical, keyCertSign, cRLSign, digitalSignature',
    'subjectKeyIdentifier = hash',
    '[client_ext]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = clientAuth',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await writeFile(file('openssl.cnf'), config);
    const cnf = file('openssl.cnf');
    await run('openssl', [
      ...['req', '-x509', '-new', '-config', cnf, '-extensions', 'ca_ext', ...ec],
      ...['-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=client-ca'],
    ]);
    await run('openssl', [
      ...['req', '-new', '-config', cnf, ...ec, '-keyout', file('client.key')],
      ...['-out', file('client.csr'), '-subj', '/CN=canary-analyze'],
    ]);
    await run('openssl', [
      ...['x509', '-req', '-in', file('client.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key')],
      ...['-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2'],
      ...['-extfile', cnf, '-extensions', 'client_ext', '-out', file('client.crt')],
    ]);
    const [caCert, cert, key] = await Promise.all(
      ['ca.crt', 'client.crt', 'client.key'].map((name) => readFile(file(name), 'utf8')),
    );
    return { caCert: caCert!, cert: cert!, key: key! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
