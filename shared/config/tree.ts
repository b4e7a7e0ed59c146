import type { SourcePosition } from '../errors.js';

/**
 * The config as read, before validation: every value keeps where it came from, so a problem
 * found later (by the schema, or while resolving a secret) can still name its file and line.
 */
export type ConfigNode = ScalarNode | MapNode | ListNode;

/** A value from a config file, or one supplied through an action input. */
export type Origin =
  | { position: SourcePosition; input?: undefined }
  | { input: string; position?: undefined };

export interface ScalarNode {
  kind: 'scalar';
  value: string | number | boolean | null;
  origin: Origin;
  /** Unquoted in YAML: after interpolation the text is read again as a number, boolean or null. */
  plain: boolean;
  /** Set when the value was built from environment variables; such values are never echoed. */
  interpolated?: { template: string; variables: string[] } | undefined;
}

export interface MapEntry {
  keyOrigin: Origin;
  value: ConfigNode;
}

export interface MapNode {
  kind: 'map';
  entries: Map<string, MapEntry>;
  origin: Origin;
}

export interface ListNode {
  kind: 'list';
  items: ConfigNode[];
  origin: Origin;
}

export type PathKey = string | number;

/** Converts the tree to the plain JSON-like value the schema validates. */
export function toPlain(node: ConfigNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'list':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of node.entries) out[key] = toPlain(entry.value);
      return out;
    }
  }
}

export interface NodeLookup {
  /** The deepest node found along the path. */
  node: ConfigNode;
  /** How many keys of the path were found; equals `path.length` when the node itself exists. */
  depth: number;
  /** Origin of the key of the last map entry found, for problems about the key itself. */
  keyOrigin?: Origin | undefined;
}

/** Follows `path` as far as the tree goes. */
export function findNode(root: ConfigNode, path: readonly PropertyKey[]): NodeLookup {
  let node = root;
  let keyOrigin: Origin | undefined;
  for (let depth = 0; depth < path.length; depth++) {
    const key = path[depth];
    let next: ConfigNode | undefined;
    let nextKeyOrigin: Origin | undefined;
    if (node.kind === 'map' && typeof key === 'string') {
      const entry = node.entries.get(key);
      next = entry?.value;
      nextKeyOrigin = entry?.keyOrigin;
    } else if (node.kind === 'list' && typeof key === 'number') {
      next = node.items[key];
    }
    if (!next) return { node, depth, keyOrigin };
    node = next;
    keyOrigin = nextKeyOrigin;
  }
  return { node, depth: path.length, keyOrigin };
}

/** Every scalar in the tree, with its path. */
export function* scalars(node: ConfigNode, path: PathKey[] = []): Generator<[PathKey[], ScalarNode]> {
  if (node.kind === 'scalar') yield [path, node];
  else if (node.kind === 'list') {
    for (const [index, item] of node.items.entries()) yield* scalars(item, [...path, index]);
  } else {
    for (const [key, entry] of node.entries) yield* scalars(entry.value, [...path, key]);
  }
}
