import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/**
 * Debian's Prometheus on a free 127.0.0.1 port with a temporary config and TSDB. `start`
 * backfills `openMetrics` with `promtool tsdb create-blocks-from openmetrics` and scrapes
 * nothing, so queries are deterministic; `scrape` instead scrapes live `/metrics` endpoints
 * (the Kubernetes simulator's applications) the way a cluster's Prometheus would.
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
    writeFileSync(input, openMetrics.endsWith('# EOF\n') ? openMetrics : `${openMetrics}# EOF\n`);
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return this.launch('global:\n  scrape_interval: 15s\nscrape_configs: []\n', data);
  }

  /**
   * Scrapes each `http://host:port/path` target every `intervalSeconds`. `honor_labels` keeps
   * the targets' own `namespace`/`pod` labels, as a pod-annotation scrape config does.
   */
  async scrape(targets: string[], intervalSeconds = 1): Promise<string> {
    this.dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
    const jobs = targets.map((target, i) => {
      const url = new URL(target);
      return [
        `  - job_name: target-${i}`,
        '    honor_labels: true',
        `    metrics_path: ${JSON.stringify(url.pathname)}`,
        `    scheme: ${url.protocol.replace(':', '')}`,
        `    static_configs: [{ targets: [${JSON.stringify(url.host)}] }]`,
      ].join('\n');
    });
    const config = `global:\n  scrape_interval: ${intervalSeconds}s\n  scrape_timeout: ${intervalSeconds}s\nscrape_configs:\n${jobs.join('\n')}\n`;
    return this.launch(config, join(this.dir, 'data'));
  }

  /** Queries until every scrape target has been scraped once and is up. */
  async waitScraped(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const response = await fetch(`${this.url}/api/v1/targets?state=active`);
      const body = (await response.json()) as { data: { activeTargets: { health: string }[] } };
      const targets = body.data.activeTargets;
      if (targets.length > 0 && targets.every((t) => t.health === 'up')) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`prometheus did not scrape its targets in ${timeoutMs} ms:\n${this.output}`);
  }

  private async launch(configText: string, data: string): Promise<string> {
    const config = join(this.dir!, 'prometheus.yml');
    writeFileSync(config, configText);
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
