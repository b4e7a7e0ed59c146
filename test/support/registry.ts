import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/**
 * Debian's `docker-registry` (the CNCF distribution registry) on a free 127.0.0.1 port, with its
 * own config and storage in a temporary directory. `stop()` ends the process and removes both.
 */
export class LocalRegistry {
  private process?: ChildProcess;
  private dir?: string;
  port = 0;
  log = '';

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.dir = mkdtempSync(join(tmpdir(), 'registry-'));
    const config = join(this.dir, 'config.yml');
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(this.dir, 'storage')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${this.port}`,
        '',
      ].join('\n'),
    );
    const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited: ${this.log}`);
      try {
        const response = await fetch(`${this.url}/v2/`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`docker-registry did not answer on ${this.url}: ${this.log}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  /** GET a manifest as a pulling client would, accepting OCI and Docker manifest types. */
  async manifest(
    repository: string,
    reference: string,
  ): Promise<{ status: number; digest?: string; body: unknown }> {
    const response = await fetch(`${this.url}/v2/${repository}/manifests/${reference}`, {
      headers: {
        accept: [
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.oci.image.index.v1+json',
          'application/vnd.docker.distribution.manifest.v2+json',
          'application/vnd.docker.distribution.manifest.list.v2+json',
        ].join(', '),
      },
    });
    const text = await response.text();
    return {
      status: response.status,
      digest: response.headers.get('docker-content-digest') ?? undefined,
      body: text ? JSON.parse(text) : undefined,
    };
  }

  async blob(repository: string, digest: string): Promise<unknown> {
    const response = await fetch(`${this.url}/v2/${repository}/blobs/${digest}`);
    return response.json();
  }

  async tags(repository: string): Promise<string[]> {
    const response = await fetch(`${this.url}/v2/${repository}/tags/list`);
    const body = (await response.json()) as { tags?: string[] };
    return body.tags ?? [];
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
