import { parseDocument } from 'yaml';
import type { ConfigProblem } from '../errors.js';
import type { ConfigNode, ListNode, MapNode, Origin, PathKey } from './tree.js';

/** A value given through an action input, placed at a dotted config path such as `canary.steps`. */
export interface ConfigOverride {
  /** The input's name, used in messages: `input "canary-steps"`. */
  input: string;
  /** A string is read as YAML (`"[5, 50, 100]"`, `"true"`, `"30m"`); empty or undefined means "not given". */
  value: unknown;
}

export type ConfigOverrides = Readonly<Record<string, ConfigOverride | undefined>>;

export interface AppliedOverrides {
  problems: ConfigProblem[];
  /** Dotted path → input name, for every override applied. */
  overridden: Record<string, string>;
}

/** Writes input values into the tree before validation, so the schema judges them like file values. */
export function applyOverrides(root: MapNode, overrides: ConfigOverrides): AppliedOverrides {
  const result: AppliedOverrides = { problems: [], overridden: {} };
  for (const [dotted, override] of Object.entries(overrides)) {
    if (!override || override.value === undefined || override.value === '') continue;
    const fail = (message: string) =>
      result.problems.push({ path: dotted, message: `input "${override.input}": ${message}` });
    const path = parseDottedPath(dotted);
    if (!path) {
      fail('is mapped to a malformed config path');
      continue;
    }
    const origin: Origin = { input: override.input };
    let value: unknown = override.value;
    if (typeof value === 'string') {
      const doc = parseDocument(value, { prettyErrors: false });
      const [error] = doc.errors;
      if (error) {
        fail(`expected a YAML value: ${error.message}`);
        continue;
      }
      value = doc.toJS();
    }
    const node = toNode(value, origin);
    if (!node) {
      fail('expected text, a number, a boolean, a list or a map');
      continue;
    }
    if (setAtPath(root, path, node, origin)) result.overridden[dotted] = override.input;
    else fail('cannot be set: a list on the way has no item at that index');
  }
  return result;
}

/** `canary.steps[2]` → ['canary', 'steps', 2]; undefined when malformed. */
export function parseDottedPath(dotted: string): PathKey[] | undefined {
  const path: PathKey[] = [];
  const part = /([A-Za-z_][\w-]*)|\[(\d+)\]/y;
  let i = 0;
  while (i < dotted.length) {
    if (path.length > 0 && dotted[i] === '.') i += 1;
    part.lastIndex = i;
    const match = part.exec(dotted);
    if (!match) return undefined;
    path.push(match[1] ?? Number(match[2]));
    i = part.lastIndex;
  }
  return path.length > 0 && typeof path[0] === 'string' ? path : undefined;
}

function toNode(value: unknown, origin: Origin): ConfigNode | undefined {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
    return { kind: 'scalar', value: value as string | number | boolean | null, origin, plain: false };
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => toNode(item, origin));
    return items.every(Boolean) ? { kind: 'list', items: items as ConfigNode[], origin } : undefined;
  }
  if (typeof value === 'object') {
    const entries: MapNode['entries'] = new Map();
    for (const [key, inner] of Object.entries(value)) {
      const node = toNode(inner, origin);
      if (!node) return undefined;
      entries.set(key, { keyOrigin: origin, value: node });
    }
    return { kind: 'map', entries, origin };
  }
  return undefined;
}

function setAtPath(root: MapNode, path: PathKey[], node: ConfigNode, origin: Origin): boolean {
  let parent: ConfigNode = root;
  for (const [depth, key] of path.entries()) {
    const last = depth === path.length - 1;
    if (typeof key === 'number') {
      if (parent.kind !== 'list' || key > parent.items.length) return false;
      const list: ListNode = parent;
      if (last) {
        list.items[key] = node;
        continue;
      }
      const next: ConfigNode | undefined = list.items[key];
      if (next && next.kind !== 'scalar') parent = next;
      else {
        const map = emptyMap(origin);
        list.items[key] = map;
        parent = map;
      }
      continue;
    }
    if (parent.kind !== 'map') return false;
    const entry = parent.entries.get(key);
    if (last) {
      parent.entries.set(key, { keyOrigin: entry?.keyOrigin ?? origin, value: node });
    } else if (entry && entry.value.kind !== 'scalar') {
      parent = entry.value;
    } else {
      const map = emptyMap(origin);
      parent.entries.set(key, { keyOrigin: entry?.keyOrigin ?? origin, value: map });
      parent = map;
    }
  }
  return true;
}

function emptyMap(origin: Origin): MapNode {
  return { kind: 'map', entries: new Map(), origin };
}
