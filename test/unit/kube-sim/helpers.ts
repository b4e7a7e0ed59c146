import {
  AppsV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import type { KObj } from '../../support/kube-sim/index.js';

/** client-node clients for a kubeconfig, loaded exactly as an action loads one. */
export function clients(kubeconfigPath: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    watch: new Watch(kc),
  };
}

export function patchAs(strategy: (typeof PatchStrategy)[keyof typeof PatchStrategy]): ConfigurationOptions {
  return setHeaderOptions('Content-Type', strategy) as ConfigurationOptions;
}

/** The HTTP code and parsed `Status` body of a client-node ApiException. */
export async function apiError(promise: Promise<unknown>): Promise<{ code: number; body: KObj }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    if (typeof e.code !== 'number') throw error;
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as KObj) : ((e.body ?? {}) as KObj);
    return { code: e.code, body };
  }
  throw new Error('expected the request to fail');
}

export function deploymentManifest(name: string, image: string, replicas = 2, extra: KObj = {}): KObj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image, ports: [{ containerPort: 8080, name: 'http' }] }],
          terminationGracePeriodSeconds: 0,
        },
      },
      ...extra,
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<V>(
  check: () => Promise<V> | V,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<V> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`eventually: timed out${last ? `: ${String(last)}` : ''}`);
    await sleep(intervalMs);
  }
}

export async function fetchJson(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: KObj; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: KObj = {};
  try {
    body = JSON.parse(text) as KObj;
  } catch {
    body = { text };
  }
  return { status: response.status, body, headers: response.headers };
}

export { PatchStrategy };
