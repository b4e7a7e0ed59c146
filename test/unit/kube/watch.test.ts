import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, type WatchEvent } from '../../../shared/kube/client.js';
import { type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';
import { kubeconfigYaml } from '../../support/kube-sim/kubeconfig.js';

/**
 * KubeClient.watch speaks the watch protocol itself over node:https with the kubeconfig's CA
 * and token: these check it against the simulator served over TLS, as a real API server is.
 */

let sim: KubeSim;
let client: KubeClient;
const ns = 'watching';
const configMaps = `/api/v1/namespaces/${ns}/configmaps`;

beforeAll(async () => {
  sim = await startKubeSim({ tls: true, bookmarkIntervalMs: 200 });
  sim.createNamespace(ns);
  client = await KubeClient.create({ source: { kind: 'file', path: sim.kubeconfigPath } });
});
afterAll(async () => {
  await sim?.stop();
});

/** Opens a watch and collects what it delivers. */
async function open(watcher: KubeClient, query: Record<string, string | undefined>) {
  const events: WatchEvent[] = [];
  const ended: unknown[] = [];
  const stop = await watcher.watch(
    configMaps,
    query,
    (event) => events.push(event),
    (error) => ended.push(error),
  );
  return { events, ended, stop };
}

/** Resolves once `predicate` holds, checking every 10 ms (what it watches is not in the store). */
async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function configMap(name: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { a: '1' } };
}

describe('KubeClient.watch', () => {
  it('delivers events in order over TLS, including bookmarks, and stops without calling onDone', async () => {
    const from = String(sim.resourceVersion());
    const watch = await open(client, { resourceVersion: from, allowWatchBookmarks: 'true' });
    await client.request('POST', configMaps, { body: configMap('first') });
    await client.mergePatch(`${configMaps}/first`, { data: { a: '2' } });
    await client.request('DELETE', `${configMaps}/first`);
    await until(() => watch.events.filter((e) => e.type !== 'BOOKMARK').length >= 3, 'three events');
    await until(() => watch.events.some((e) => e.type === 'BOOKMARK'), 'a bookmark');
    const changes = watch.events.filter((e) => e.type !== 'BOOKMARK');
    expect(changes.map((e) => [e.type, (e.object.metadata as { name: string }).name])).toEqual([
      ['ADDED', 'first'],
      ['MODIFIED', 'first'],
      ['DELETED', 'first'],
    ]);
    expect((changes[1]!.object.data as Record<string, string>).a).toBe('2');
    watch.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(watch.ended).toEqual([]);
    expect(sim.openWatches()).toBe(0);
  });

  it('reports a connection the server drops through onDone, so the caller can resume', async () => {
    const watch = await open(client, { resourceVersion: String(sim.resourceVersion()) });
    await until(() => sim.openWatches() > 0, 'the watch to open');
    sim.dropWatches();
    await until(() => watch.ended.length > 0, 'onDone');
    expect(watch.ended).toHaveLength(1);
    expect((watch.ended[0] as { statusCode?: number } | null)?.statusCode).toBeUndefined();
  });

  it('ends with the HTTP status when the server refuses the watch', async () => {
    const content = kubeconfigYaml({ server: sim.url, token: 'not-the-token', caCert: sim.caCert! });
    const stranger = await KubeClient.create({ source: { kind: 'inline', content } });
    const watch = await open(stranger, {});
    await until(() => watch.ended.length > 0, 'onDone');
    expect((watch.ended[0] as { statusCode?: number }).statusCode).toBe(401);
    expect(watch.events).toEqual([]);
  });

  it('passes the 410 Expired ERROR event of a too-old resourceVersion on to the caller', async () => {
    await client.request('POST', configMaps, { body: configMap('old') });
    sim.compact();
    const watch = await open(client, { resourceVersion: '1001' });
    await until(() => watch.events.length > 0, 'the ERROR event');
    // As a real API server does: 200, then one ERROR event carrying the 410 Status.
    expect(watch.events[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    watch.stop();
  });
});
