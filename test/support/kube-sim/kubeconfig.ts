import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

/**
 * A kubeconfig file for the simulator, in the format kubectl and `KubeConfig.loadFromFile`
 * read: one cluster, one token user, one context (current), with a default namespace.
 */

export interface KubeconfigOptions {
  server: string;
  token: string;
  namespace?: string;
  /** Names of the cluster, user and context (default `kube-sim`). */
  name?: string;
  /** PEM of the CA that signed an https server's certificate (`certificate-authority-data`). */
  caCert?: string;
}

export function kubeconfigYaml(options: KubeconfigOptions): string {
  const name = options.name ?? 'kube-sim';
  const context: Record<string, string> = { cluster: name, user: `${name}-user` };
  if (options.namespace) context.namespace = options.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    // client-node 2.x refuses plain http:// unless TLS verification is marked skipped.
    clusters: [
      {
        name,
        cluster: options.server.startsWith('http:')
          ? { server: options.server, 'insecure-skip-tls-verify': true }
          : options.caCert
            ? {
                server: options.server,
                'certificate-authority-data': Buffer.from(options.caCert).toString('base64'),
              }
            : { server: options.server },
      },
    ],
    users: [{ name: `${name}-user`, user: { token: options.token } }],
    contexts: [{ name, context }],
    'current-context': name,
  });
}

export function writeKubeconfig(path: string, options: KubeconfigOptions): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(options), { mode: 0o600 });
  return path;
}
