import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/**
 * Debian's Prometheus on a free 127.0.0.1 port with a temporary config and TSDB, after
 * backfilling `openMetrics` with `promtool tsdb create-blocks-from openmetrics`. Nothing is
 * scraped: the backfilled blocks are the whole data set, so queries are deterministic.
 */
export class PrometheusServer {
  private process?: ChildProcess;
  private dir?: string;
  private output = '';
  url = '';

  async start(openMetrics: string): Promise<string> {
    this.dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
    const data = join(this.dir, 'data');
    const input = join(this.dir, 'series.om');
    const config = join(this.dir, 'prometheus.yml');
    writeFileSync(input, openMetrics.endsWith('# EOF\n') ? openMetrics : `${openMetrics}# EOF\n`);
    writeFileSync(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.process = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=30d',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process.stdout?.on('data', (chunk) => (this.output += chunk));
    this.process.stderr?.on('data', (chunk) => (this.output += chunk));
    await this.waitReady();
    return this.url;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.process?.exitCode !== null && this.process?.exitCode !== undefined) {
        throw new Error(`prometheus exited with ${this.process.exitCode}:\n${this.output}`);
      }
      try {
        const response = await fetch(`${this.url}/-/ready`);
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`prometheus did not become ready in 30 s:\n${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
