import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main, prometheusConfig } from '../../support/kube-sim/cli.js';
import { clients, eventually, fetchJson } from './helpers.js';

/** The standalone simulator: spawned through its launcher, used, and stopped with SIGINT. */

const LAUNCHER = fileURLToPath(new URL('../../support/kube-sim/kube-sim.mjs', import.meta.url));
const children = new Set<ChildProcess>();
const dir = mkdtempSync(join(tmpdir(), 'kube-sim-cli-'));

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  line: (label: string) => Promise<string>;
}

function launch(args: string[]): Started {
  // process.execPath is the Node 24 that runs the tests (the pinned dev dependency).
  const child = spawn(process.execPath, [LAUNCHER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = (label: string) =>
    eventually(() => {
      if (child.exitCode !== null) throw new Error(`kube-sim exited ${child.exitCode}:\n${out}`);
      const m = new RegExp(`^kube-sim: ${label}\\s+(\\S+)`, 'm').exec(out);
      return m?.[1];
    }, 30_000).then((v) => v!);
  return { child, output: () => out, exited, line };
}

describe('kube-sim standalone', () => {
  it('prints its kubeconfig, API and metrics URLs, serves the API, and stops on SIGINT', async () => {
    const started = launch(['--tls', '--namespace', 'cli', '--clock-speed', '20']);
    const kubeconfig = await started.line('kubeconfig');
    const api = await started.line('API server');
    const metrics = await started.line('metrics');
    await eventually(() => started.output().includes('kube-sim: ready'), 30_000);
    expect(api).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(started.output()).toContain(`export KUBECONFIG=${kubeconfig}`);

    const config = parse(readFileSync(kubeconfig, 'utf8'));
    expect(config.clusters[0].cluster.server).toBe(api);
    expect(config.contexts[0].context.namespace).toBe('cli');
    const { core } = clients(kubeconfig);
    const ns = await core.readNamespace({ name: 'cli' });
    expect(ns.status?.phase).toBe('Active');
    const scrape = await fetch(metrics);
    expect(scrape.status).toBe(200);

    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
    expect(started.output()).toContain('kube-sim: SIGINT, stopping');
    expect(started.output()).toContain('kube-sim: stopped');
    // The temporary kubeconfig goes with it.
    expect(existsSync(kubeconfig)).toBe(false);
  });

  it('stops on SIGTERM too, and writes the kubeconfig and Prometheus config where asked', async () => {
    const kubeconfigPath = join(dir, 'kubeconfig');
    const promPath = join(dir, 'prometheus.yml');
    const started = launch(['--kubeconfig', kubeconfigPath, '--prometheus-config', promPath]);
    expect(await started.line('kubeconfig')).toBe(kubeconfigPath);
    const api = await started.line('API server');
    const metrics = await started.line('metrics');
    expect(api).toMatch(/^http:\/\//);
    const token = parse(readFileSync(kubeconfigPath, 'utf8')).users[0].user.token as string;
    const list = await fetchJson(`${api}/api/v1/namespaces`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toContain('default');

    const prom = parse(readFileSync(promPath, 'utf8'));
    expect(prom.scrape_configs[0].static_configs[0].targets).toEqual([new URL(metrics).host]);

    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(started.output()).toContain('kube-sim: SIGTERM, stopping');
  });

  it('answers --help and rejects unknown flags without starting', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await main(['--help'], io, new EventEmitter())).toBe(0);
    expect(lines.join('\n')).toContain('--clock-speed <n>');
    lines.length = 0;
    expect(await main(['--no-such-flag'], io, new EventEmitter())).toBe(2);
    expect(lines.join('\n')).toContain("Unknown option '--no-such-flag'");
    lines.length = 0;
    expect(await main(['--clock-speed', 'fast'], io, new EventEmitter())).toBe(1);
    expect(lines.join('\n')).toContain('--clock-speed wants a non-negative number, got "fast"');
  });

  it('runs in process with a signal source of the caller', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const signals = new EventEmitter();
    const done = main(['--namespace', 'inproc'], io, signals);
    await eventually(() => lines.some((l) => l.startsWith('kube-sim: ready')), 30_000);
    expect(signals.listenerCount('SIGINT')).toBe(1);
    signals.emit('SIGINT');
    expect(await done).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(lines).toContain('kube-sim: stopped');
  });

  it('writes a Prometheus scrape config for the metrics URL', () => {
    const config = parse(prometheusConfig('http://127.0.0.1:9999/metrics'));
    expect(config.scrape_configs[0]).toMatchObject({
      job_name: 'kube-sim',
      metrics_path: '/metrics',
      static_configs: [{ targets: ['127.0.0.1:9999'] }],
    });
  });
});
