/**
 * @kubernetes/client-node is large; it is imported only when a step talks to a cluster, so the
 * bundles of actions that never do stay small and start fast.
 */
export type ClientNode = typeof import('@kubernetes/client-node');

let loaded: Promise<ClientNode> | undefined;

export function loadClientNode(): Promise<ClientNode> {
  loaded ??= import('@kubernetes/client-node');
  return loaded;
}
