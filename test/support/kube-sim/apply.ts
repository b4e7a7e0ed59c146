import { clone, mergeKeyFor } from './patch.js';
import type { KObj } from './resources.js';
import { ApiError } from './status.js';

/**
 * Field ownership (`metadata.managedFields`, FieldsV1) and server-side apply: each manager owns
 * the leaf fields it set; applying a field another manager owns with a different value is a
 * conflict (409) unless forced, which moves ownership; fields a manager stops applying are
 * removed when nobody else owns them. Lists with a merge key (containers by name, ports, env…)
 * are associative, `metadata.finalizers` is a set, every other list is atomic.
 */

type Elem = string; // 'f:name' | 'k:{"name":"x"}' | 'v:"x"' | '.'
const SEP = '\u0000';

const IGNORED_TOP = new Set(['apiVersion', 'kind', 'status']);
const IGNORED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

function isMap(value: unknown): value is KObj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isSetList(names: string[]): boolean {
  return names.length === 2 && names[0] === 'metadata' && names[1] === 'finalizers';
}

/** Leaf field paths of an object, each encoded as its FieldsV1 path elements joined. */
export function fieldsOf(obj: KObj, includeStatus = false): Set<string> {
  const out = new Set<string>();
  const walk = (value: unknown, elems: Elem[], names: string[]) => {
    if (isMap(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0 && elems.length > 0) {
        out.add(elems.join(SEP));
        return;
      }
      for (const key of keys) {
        if (elems.length === 0 && IGNORED_TOP.has(key) && !(includeStatus && key === 'status')) continue;
        if (elems.length === 1 && elems[0] === 'f:metadata' && IGNORED_META.has(key)) continue;
        walk(value[key], [...elems, `f:${key}`], [...names, key]);
      }
      return;
    }
    if (Array.isArray(value)) {
      const key = mergeKeyFor(names);
      if (isSetList(names)) {
        for (const item of value) out.add([...elems, `v:${JSON.stringify(item)}`].join(SEP));
        return;
      }
      if (key && value.every((item) => isMap(item) && item[key] !== undefined)) {
        for (const item of value as KObj[]) {
          const elem = `k:${JSON.stringify({ [key]: item[key] })}`;
          out.add([...elems, elem, '.'].join(SEP));
          walk(item, [...elems, elem], names);
        }
        return;
      }
    }
    out.add(elems.join(SEP));
  };
  walk(obj, [], []);
  return out;
}

function step(value: unknown, elem: Elem): unknown {
  if (elem === '.') return value;
  if (elem.startsWith('f:')) return isMap(value) ? value[elem.slice(2)] : undefined;
  if (!Array.isArray(value)) return undefined;
  if (elem.startsWith('k:')) {
    const key = JSON.parse(elem.slice(2)) as KObj;
    return value.find((item) => isMap(item) && Object.entries(key).every(([k, v]) => item[k] === v));
  }
  const wanted = elem.slice(2);
  return value.find((item) => JSON.stringify(item) === wanted);
}

export function valueAt(obj: unknown, path: string): unknown {
  let current = obj;
  for (const elem of path.split(SEP)) {
    current = step(current, elem);
    if (current === undefined) return undefined;
  }
  return current;
}

function removeAt(obj: KObj, path: string): void {
  const elems = path.split(SEP);
  const last = elems[elems.length - 1]!;
  const parentElems = last === '.' ? elems.slice(0, -2) : elems.slice(0, -1);
  const target = last === '.' ? elems[elems.length - 2]! : last;
  let parent: unknown = obj;
  for (const elem of parentElems) {
    parent = step(parent, elem);
    if (parent === undefined) return;
  }
  if (target.startsWith('f:')) {
    if (isMap(parent)) delete parent[target.slice(2)];
    return;
  }
  if (Array.isArray(parent)) {
    const item = step(parent, target);
    const index = parent.indexOf(item);
    if (index >= 0) parent.splice(index, 1);
  }
}

/** FieldsV1 tree from a set of paths. */
export function toFieldsV1(paths: Iterable<string>): KObj {
  const root: KObj = {};
  for (const path of paths) {
    let node = root;
    for (const elem of path.split(SEP)) {
      node[elem] ??= {};
      node = node[elem];
    }
  }
  return root;
}

export function fromFieldsV1(tree: KObj | undefined): Set<string> {
  const out = new Set<string>();
  const walk = (node: KObj, elems: Elem[]) => {
    const keys = Object.keys(node);
    if (keys.length === 0 && elems.length > 0) out.add(elems.join(SEP));
    for (const key of keys) walk(node[key] ?? {}, [...elems, key]);
  };
  if (tree) walk(tree, []);
  return out;
}

/** `.spec.template.spec.containers[name="app"].image`: how conflicts name a field. */
export function describePath(path: string): string {
  return path
    .split(SEP)
    .map((elem) => {
      if (elem === '.') return '';
      if (elem.startsWith('f:')) return `.${elem.slice(2)}`;
      if (elem.startsWith('k:')) {
        const key = JSON.parse(elem.slice(2)) as KObj;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      return `[${elem.slice(2)}]`;
    })
    .join('');
}

export interface ManagedEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: KObj;
  subresource?: string;
}

function entries(obj: KObj): ManagedEntry[] {
  return Array.isArray(obj.metadata?.managedFields) ? (obj.metadata.managedFields as ManagedEntry[]) : [];
}

function sameOwner(e: ManagedEntry, manager: string, operation: string, subresource?: string): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');
}

function setEntries(obj: KObj, list: ManagedEntry[]): void {
  const kept = list.filter((e) => Object.keys(e.fieldsV1).length > 0);
  obj.metadata ??= {};
  if (kept.length) obj.metadata.managedFields = kept;
  else delete obj.metadata.managedFields;
}

/**
 * Record a non-apply write (create, update, patch) by `manager`: fields whose value it changed
 * become its own (operation Update) and leave every other manager; removed fields leave all.
 */
export function recordUpdate(
  oldObj: KObj | undefined,
  newObj: KObj,
  manager: string,
  apiVersion: string,
  time: string,
  subresource?: string,
): void {
  const includeStatus = subresource === 'status';
  const before = oldObj ? fieldsOf(oldObj, includeStatus) : new Set<string>();
  const after = fieldsOf(newObj, includeStatus);
  const changed = new Set<string>();
  for (const path of after) {
    if (
      !before.has(path) ||
      JSON.stringify(valueAt(oldObj, path)) !== JSON.stringify(valueAt(newObj, path))
    ) {
      changed.add(path);
    }
  }
  const removed = [...before].filter((p) => !after.has(p));
  const list = (oldObj ? entries(oldObj) : entries(newObj)).map((e) => ({ ...e }));
  for (const e of list) {
    const owned = fromFieldsV1(e.fieldsV1);
    let touched = false;
    for (const p of [...changed, ...removed]) {
      if (owned.delete(p)) touched = true;
    }
    if (touched) e.fieldsV1 = toFieldsV1(owned);
  }
  if (changed.size) {
    let mine = list.find((e) => sameOwner(e, manager, 'Update', subresource));
    if (!mine) {
      mine = { manager, operation: 'Update', apiVersion, time, fieldsType: 'FieldsV1', fieldsV1: {} };
      if (subresource) mine.subresource = subresource;
      list.push(mine);
    }
    const owned = fromFieldsV1(mine.fieldsV1);
    for (const p of changed) owned.add(p);
    mine.fieldsV1 = toFieldsV1(owned);
    mine.time = time;
    mine.apiVersion = apiVersion;
  }
  setEntries(newObj, list);
}

function mergeApplied(live: unknown, applied: unknown, names: string[]): unknown {
  if (isMap(applied)) {
    const out: KObj = isMap(live) ? clone(live) : {};
    for (const [key, value] of Object.entries(applied)) {
      out[key] = mergeApplied(out[key], value, [...names, key]);
    }
    return out;
  }
  if (Array.isArray(applied)) {
    const key = mergeKeyFor(names);
    if (isSetList(names)) {
      const out = Array.isArray(live) ? [...live] : [];
      for (const item of applied)
        if (!out.some((v) => JSON.stringify(v) === JSON.stringify(item))) out.push(item);
      return out;
    }
    if (key && Array.isArray(live) && applied.every((item) => isMap(item) && item[key] !== undefined)) {
      const out: unknown[] = clone(live);
      for (const item of applied as KObj[]) {
        const index = out.findIndex((el) => isMap(el) && el[key] === item[key]);
        if (index >= 0) out[index] = mergeApplied(out[index], item, names);
        else out.push(clone(item));
      }
      return out;
    }
    return clone(applied);
  }
  return applied;
}

export interface ApplyResult {
  object: KObj;
}

/**
 * Server-side apply of `applied` by `manager` onto `live` (undefined when creating). Throws a
 * 409 naming every conflicting field unless `force`.
 */
export function serverSideApply(
  live: KObj | undefined,
  applied: KObj,
  manager: string,
  force: boolean,
  apiVersion: string,
  time: string,
  subresource?: string,
): KObj {
  const includeStatus = subresource === 'status';
  const base: KObj = live ? clone(live) : {};
  const list = entries(base).map((e) => ({ ...e }));
  const mine = list.find((e) => sameOwner(e, manager, 'Apply', subresource));
  const previous = mine ? fromFieldsV1(mine.fieldsV1) : new Set<string>();
  const wanted = fieldsOf(applied, includeStatus);

  const conflicts: { path: string; manager: string; apiVersion: string }[] = [];
  for (const e of list) {
    if (e === mine || (e.subresource ?? '') !== (subresource ?? '')) continue;
    for (const path of fromFieldsV1(e.fieldsV1)) {
      if (!wanted.has(path) || path.endsWith('.')) continue;
      const current = valueAt(base, path);
      if (current === undefined) continue;
      if (JSON.stringify(current) !== JSON.stringify(valueAt(applied, path))) {
        conflicts.push({ path, manager: e.manager, apiVersion: e.apiVersion });
      }
    }
  }
  if (conflicts.length && !force) {
    const causes = conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager}" using ${c.apiVersion}`,
      field: describePath(c.path),
    }));
    const lines = causes.map((c) => `${c.message}: ${c.field}`);
    const message =
      conflicts.length === 1
        ? `Apply failed with 1 conflict: ${lines[0]}`
        : `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
    throw new ApiError(409, 'Conflict', message, { causes });
  }

  // Fields this manager applied before and no longer does: removed unless someone else owns them.
  const ownedByOthers = new Set<string>();
  for (const e of list) if (e !== mine) for (const p of fromFieldsV1(e.fieldsV1)) ownedByOthers.add(p);
  let result = base;
  const dropped = [...previous].filter((p) => !wanted.has(p) && !ownedByOthers.has(p));
  dropped.sort((a, b) => a.length - b.length);
  for (const path of dropped) removeAt(result, path);

  result = mergeApplied(result, applied, []) as KObj;

  // Forced conflicts move ownership to this manager.
  const taken = new Set(conflicts.map((c) => c.path));
  for (const e of list) {
    if (e === mine || !taken.size) continue;
    const owned = fromFieldsV1(e.fieldsV1);
    let touched = false;
    for (const p of taken) if (owned.delete(p)) touched = true;
    if (touched) e.fieldsV1 = toFieldsV1(owned);
  }
  const entry: ManagedEntry = mine ?? {
    manager,
    operation: 'Apply',
    apiVersion,
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: {},
  };
  if (subresource) entry.subresource = subresource;
  entry.fieldsV1 = toFieldsV1(wanted);
  entry.time = time;
  entry.apiVersion = apiVersion;
  if (!mine) list.push(entry);
  setEntries(result, list);
  return result;
}
