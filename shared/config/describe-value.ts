import type { ConfigNode, Origin } from './tree.js';

const MAX_SHOWN = 60;

/**
 * How a value is named after "got" in a message. A value built from environment variables is
 * named by its variables only: it may be a secret, and messages end up in logs.
 */
export function describeValue(node: ConfigNode): string {
  if (node.kind === 'map') return 'a map';
  if (node.kind === 'list') return `a list of ${node.items.length} item${node.items.length === 1 ? '' : 's'}`;
  if (node.interpolated) {
    const names = node.interpolated.variables.map((name) => `\${${name}}`);
    return names.length === 1 ? `the value of ${names[0]}` : `a value built from ${names.join(', ')}`;
  }
  const { value } = node;
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
  }
  return String(value);
}

/** Whether a message may repeat the value itself. */
export function isEchoable(node: ConfigNode): boolean {
  return !(node.kind === 'scalar' && node.interpolated);
}

/** Prefix naming the action input a value came from, if it did. */
export function inputPrefix(origin: Origin): string {
  return origin.input ? `input "${origin.input}": ` : '';
}
