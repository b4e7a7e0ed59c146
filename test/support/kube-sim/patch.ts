import type { KObj } from './resources.js';
import { ApiError } from './status.js';

/**
 * The three client-side patch formats: JSON Patch (RFC 6902), JSON merge patch (RFC 7386) and
 * Kubernetes strategic merge patch for the built-in types' list merge keys. (Server-side apply
 * is in apply.ts.)
 */

export function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/** JSON with object keys sorted: equal for equal values whatever the key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as KObj)
            .sort()
            .map((k) => [k, (v as KObj)[k]]),
        )
      : v,
  );
}

function isMap(value: unknown): value is KObj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function patchError(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

// ---------------------------------------------------------------------------------------------
// JSON Patch

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function pointerSegments(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw patchError(`invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map(unescapePointer);
}

function resolveParent(doc: unknown, segments: string[], op: string, path: string): unknown {
  let current = doc;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isMap(current)) current = current[segment];
    else current = undefined;
    if (current === undefined || current === null) {
      throw patchError(
        `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "${path}": missing value`,
      );
    }
  }
  return current;
}

function getAt(doc: unknown, path: string): unknown {
  let current = doc;
  for (const segment of pointerSegments(path)) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isMap(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

function missing(op: string, path: string): ApiError {
  return patchError(
    `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "${path}": missing value`,
  );
}

export function applyJsonPatch(document: KObj, operations: unknown): KObj {
  if (!Array.isArray(operations))
    throw new ApiError(
      400,
      'BadRequest',
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  let doc: unknown = clone(document);
  for (const raw of operations) {
    if (!isMap(raw)) throw patchError('invalid JSON Patch operation');
    const op = String(raw.op);
    const path = String(raw.path ?? '');
    const segments = pointerSegments(path);
    const last = segments[segments.length - 1];
    const set = (value: unknown, mode: 'add' | 'replace') => {
      if (segments.length === 0) {
        doc = clone(value);
        return;
      }
      const parent = resolveParent(doc, segments, op, path);
      if (Array.isArray(parent)) {
        const index = last === '-' ? parent.length : Number(last);
        if (!Number.isInteger(index) || index < 0 || index > parent.length) {
          throw patchError(
            `the server rejected our request due to an error in our request: ${op} operation does not apply: index out of bounds: ${path}`,
          );
        }
        if (mode === 'add') parent.splice(index, 0, clone(value));
        else {
          if (index >= parent.length) throw missing(op, path);
          parent[index] = clone(value);
        }
      } else if (isMap(parent)) {
        if (mode === 'replace' && !Object.hasOwn(parent, last!)) throw missing(op, path);
        parent[last!] = clone(value);
      } else throw missing(op, path);
    };
    const remove = (): unknown => {
      const parent = resolveParent(doc, segments, op, path);
      if (Array.isArray(parent)) {
        const index = Number(last);
        if (!(index >= 0 && index < parent.length)) throw missing(op, path);
        return parent.splice(index, 1)[0];
      }
      if (isMap(parent) && Object.hasOwn(parent, last!)) {
        const value = parent[last!];
        delete parent[last!];
        return value;
      }
      throw missing(op, path);
    };
    switch (op) {
      case 'add':
        set(raw.value, 'add');
        break;
      case 'replace':
        set(raw.value, 'replace');
        break;
      case 'remove':
        remove();
        break;
      case 'move': {
        const from = String(raw.from);
        const value = getAt(doc, from);
        if (value === undefined) throw missing(op, from);
        const fromSegments = pointerSegments(from);
        const parent = resolveParent(doc, fromSegments, op, from);
        const fromLast = fromSegments[fromSegments.length - 1]!;
        if (Array.isArray(parent)) parent.splice(Number(fromLast), 1);
        else if (isMap(parent)) delete parent[fromLast];
        set(value, 'add');
        break;
      }
      case 'copy': {
        const from = String(raw.from);
        const value = getAt(doc, from);
        if (value === undefined) throw missing(op, from);
        set(value, 'add');
        break;
      }
      case 'test': {
        const value = getAt(doc, path);
        if (JSON.stringify(value) !== JSON.stringify(raw.value)) {
          throw patchError(
            `the server rejected our request due to an error in our request: testing value ${path} failed: test failed`,
          );
        }
        break;
      }
      default:
        throw patchError(`Unexpected kind: ${op}`);
    }
  }
  if (!isMap(doc)) throw patchError('patch result is not an object');
  return doc;
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const result: KObj = isMap(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The `patchMergeKey` of a list field of the built-in types, by the field names leading to it. */
export function mergeKeyFor(path: string[]): string | undefined {
  const field = path[path.length - 1];
  const parent = path[path.length - 2];
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'imagePullSecrets':
    case 'volumes':
    case 'resourceClaims':
      return 'name';
    case 'env':
      return parent && CONTAINER_LISTS.has(parent) ? 'name' : undefined;
    case 'ports':
      if (parent && CONTAINER_LISTS.has(parent)) return 'containerPort';
      return path.length === 2 && path[0] === 'spec' ? 'port' : undefined;
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'hostAliases':
      return 'ip';
    case 'conditions':
      return 'type';
    case 'ownerReferences':
      return 'uid';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    default:
      return undefined;
  }
}

/** Primitive lists with `patchStrategy: merge` (set semantics). */
function isMergedPrimitiveList(path: string[]): boolean {
  return path.length === 2 && path[0] === 'metadata' && path[1] === 'finalizers';
}

export function applyStrategicMergePatch(original: KObj, patch: unknown): KObj {
  if (!isMap(patch)) throw new ApiError(400, 'BadRequest', 'strategic merge patch must be a JSON object');
  const result = mergeMap(original, patch, []);
  if (!isMap(result)) throw patchError('patch result is not an object');
  return result;
}

function mergeMap(original: unknown, patch: KObj, path: string[]): KObj | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  const base: KObj = directive === 'replace' || !isMap(original) ? {} : clone(original);
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const drop = new Set((value as unknown[]).map((v) => JSON.stringify(v)));
      if (Array.isArray(base[field]))
        base[field] = base[field].filter((v: unknown) => !drop.has(JSON.stringify(v)));
      continue;
    }
    if (value === null) {
      delete base[key];
      continue;
    }
    const childPath = [...path, key];
    if (Array.isArray(value)) {
      base[key] = mergeList(base[key], value, childPath);
    } else if (isMap(value)) {
      const merged = mergeMap(base[key], value, childPath);
      if (merged === undefined) delete base[key];
      else base[key] = merged;
    } else base[key] = value;
  }
  if (retainKeys) {
    for (const key of Object.keys(base)) if (!retainKeys.includes(key)) delete base[key];
  }
  return base;
}

function mergeList(original: unknown, patch: unknown[], path: string[]): unknown[] {
  const current = Array.isArray(original) ? original : [];
  if (patch.some((item) => isMap(item) && item.$patch === 'replace')) {
    return clone(patch.filter((item) => !(isMap(item) && item.$patch === 'replace')));
  }
  if (isMergedPrimitiveList(path)) {
    const out = [...current];
    for (const item of patch)
      if (!out.some((v) => JSON.stringify(v) === JSON.stringify(item))) out.push(item);
    return out;
  }
  const key = mergeKeyFor(path);
  if (!key) return clone(patch.filter((item) => !(isMap(item) && item.$patch)));
  const out: unknown[] = clone(current);
  for (const item of patch) {
    if (!isMap(item)) continue;
    const index = out.findIndex((el) => isMap(el) && el[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      const merged = mergeMap(out[index], item, path);
      if (merged === undefined) out.splice(index, 1);
      else out[index] = merged;
    } else {
      const fresh = mergeMap({}, item, path);
      if (fresh) out.push(fresh);
    }
  }
  return out;
}
