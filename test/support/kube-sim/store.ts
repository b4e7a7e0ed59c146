import { randomUUID } from 'node:crypto';
import { fromFieldsV1, recordUpdate, serverSideApply } from './apply.js';
import type { SimClock } from './clock.js';
import { applyDefaults } from './defaults.js';
import { canonical, clone } from './patch.js';
import { groupVersion, type KObj, RESOURCE_TYPES, type ResourceType, T, typeKey } from './resources.js';
import { type FieldMatcher, type LabelMatcher, parseFieldSelector, parseLabelSelector } from './selectors.js';
import {
  ApiError,
  alreadyExists,
  conflict,
  expired,
  invalid,
  namespaceNotFound,
  notFound,
  STALE,
} from './status.js';
import { validate } from './validate.js';

/**
 * The object store: one resourceVersion counter over everything (as etcd), uid/generation/
 * timestamps, optimistic concurrency, defaulting and validation on write, field ownership, a
 * bounded event history for watches (older versions answer 410 Gone), finalizers, namespace
 * termination and garbage collection of dependents through ownerReferences.
 */

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  resourceVersion: number;
  resource: ResourceType;
  namespace: string;
  name: string;
  object: KObj;
  /** The object before this change (MODIFIED and DELETED). */
  old?: KObj;
}

export type StoreListener = (event: StoreEvent) => void;

export interface WriteOptions {
  /** Field manager recorded in managedFields. */
  manager?: string;
  dryRun?: boolean;
  /** Write to a subresource (`status`): only its part of the object changes. */
  subresource?: 'status';
  /** Controller writes: leave managedFields as they are (faster for large simulations). */
  skipManagedFields?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface StoreOptions {
  /** Watch events kept; a watch from an older resourceVersion gets 410 Gone. */
  historySize?: number;
  /** Where the resourceVersion counter starts (real clusters are far from 1). */
  initialResourceVersion?: number;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function specPart(obj: KObj): string {
  const { metadata: _m, status: _s, ...rest } = obj;
  return canonical(rest);
}

export class Store {
  private readonly objects = new Map<string, Map<string, KObj>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  private readonly historySize: number;
  private rv: number;
  /** Events at or below this version are gone from history. */
  private compactedRv: number;

  private readonly clock: SimClock;

  constructor(clock: SimClock, options: StoreOptions = {}) {
    this.clock = clock;
    this.historySize = options.historySize ?? 50_000;
    this.rv = options.initialResourceVersion ?? 1000;
    for (const type of RESOURCE_TYPES) this.objects.set(typeKey(type), new Map());
    for (const name of SYSTEM_NAMESPACES) {
      this.create(T.namespaces, '', { metadata: { name } }, { manager: 'kube-apiserver' });
    }
    this.compactedRv = this.rv;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestWatchableVersion(): number {
    return this.compactedRv;
  }

  /** Forget all history: any watch from a version before now gets 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedRv = this.rv;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `resourceVersion`, or a 410 when history no longer reaches back that far. */
  eventsSince(resourceVersion: number, requested: string): StoreEvent[] {
    if (resourceVersion < this.compactedRv) throw expired(requested, this.compactedRv + 1);
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.resourceVersion <= resourceVersion) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  private bucket(type: ResourceType): Map<string, KObj> {
    return this.objects.get(typeKey(type))!;
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historySize * 1.25) {
      const drop = this.history.length - this.historySize;
      this.compactedRv = this.history[drop - 1]!.resourceVersion;
      this.history.splice(0, drop);
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('kube-sim: listener failed', error);
      }
    }
  }

  private nextRv(): number {
    this.rv += 1;
    return this.rv;
  }

  // --------------------------------------------------------------------------------------------
  // Reads

  tryGet(type: ResourceType, namespace: string, name: string): KObj | undefined {
    const obj = this.bucket(type).get(keyOf(type.namespaced ? namespace : '', name));
    return obj ? clone(obj) : undefined;
  }

  get(type: ResourceType, namespace: string, name: string): KObj {
    const obj = this.tryGet(type, namespace, name);
    if (!obj) throw notFound(type, name);
    return obj;
  }

  /** Live objects without copying: callers must not modify them. */
  peek(type: ResourceType, namespace?: string): KObj[] {
    const out: KObj[] = [];
    for (const obj of this.bucket(type).values()) {
      if (namespace === undefined || namespace === '' || obj.metadata.namespace === namespace) out.push(obj);
    }
    return out;
  }

  peekOne(type: ResourceType, namespace: string, name: string): KObj | undefined {
    return this.bucket(type).get(keyOf(type.namespaced ? namespace : '', name));
  }

  list(type: ResourceType, namespace: string | undefined, options: ListOptions = {}): KObj[] {
    const labels: LabelMatcher = parseLabelSelector(options.labelSelector);
    const fields: FieldMatcher = parseFieldSelector(options.fieldSelector);
    const items = this.peek(type, namespace).filter((o) => labels(o.metadata.labels) && fields(o));
    items.sort((a, b) =>
      a.metadata.namespace === b.metadata.namespace
        ? a.metadata.name < b.metadata.name
          ? -1
          : 1
        : (a.metadata.namespace ?? '') < (b.metadata.namespace ?? '')
          ? -1
          : 1,
    );
    return items.map((o) => clone(o));
  }

  // --------------------------------------------------------------------------------------------
  // Writes

  private checkNamespace(type: ResourceType, namespace: string, name: string): void {
    if (!type.namespaced) return;
    const ns = this.bucket(T.namespaces).get(keyOf('', namespace));
    if (!ns) throw namespaceNotFound(namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `${type.group ? `${type.plural}.${type.group}` : type.plural} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        { name, group: type.group || undefined, kind: type.plural },
      );
    }
  }

  create(type: ResourceType, namespace: string, input: KObj, options: WriteOptions = {}): KObj {
    const obj = clone(input);
    obj.apiVersion = groupVersion(type);
    obj.kind = type.kind;
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) {
      meta.name = `${meta.generateName}${randomSuffix()}`;
    }
    if (type.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw new ApiError(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = namespace || meta.namespace || 'default';
    } else delete meta.namespace;
    if (type.status) delete obj.status;
    applyDefaults(type.kind, obj);
    validate(type, obj);
    this.checkNamespace(type, meta.namespace, meta.name);
    const bucket = this.bucket(type);
    const key = keyOf(meta.namespace ?? '', meta.name);
    if (bucket.has(key)) throw alreadyExists(type, meta.name);
    if (meta.resourceVersion) {
      throw invalid(type, meta.name, [
        {
          reason: 'FieldValueForbidden',
          message: 'Forbidden: resourceVersion should not be set on objects to be created',
          field: 'metadata.resourceVersion',
        },
      ]);
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = this.clock.iso();
    delete meta.deletionTimestamp;
    if (type.generation) meta.generation = 1;
    else delete meta.generation;
    if (!input.metadata?.managedFields && !options.skipManagedFields) {
      delete meta.managedFields;
      recordUpdate(undefined, obj, options.manager ?? 'unknown', obj.apiVersion, this.clock.iso());
    }
    if (options.dryRun) return obj;
    meta.resourceVersion = String(this.nextRv());
    bucket.set(key, obj);
    this.emit({
      type: 'ADDED',
      resourceVersion: this.rv,
      resource: type,
      namespace: meta.namespace ?? '',
      name: meta.name,
      object: obj,
    });
    return clone(obj);
  }

  /**
   * Replace (PUT). A resourceVersion in the body must match the stored one (409 otherwise). On
   * types with a status subresource the main resource keeps the stored status and `/status`
   * keeps everything but status.
   */
  update(type: ResourceType, namespace: string, name: string, input: KObj, options: WriteOptions = {}): KObj {
    const bucket = this.bucket(type);
    const key = keyOf(type.namespaced ? namespace : '', name);
    const current = bucket.get(key);
    if (!current) throw notFound(type, name);
    const wantedRv = input.metadata?.resourceVersion;
    if (wantedRv && wantedRv !== current.metadata.resourceVersion) throw conflict(type, name, STALE);
    if (input.metadata?.name && input.metadata.name !== name) {
      throw new ApiError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    }
    if (input.metadata?.uid && input.metadata.uid !== current.metadata.uid) {
      throw conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${input.metadata.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    let obj: KObj;
    if (options.subresource === 'status') {
      obj = clone(current);
      obj.status = clone(input.status);
      if (input.metadata?.managedFields) obj.metadata.managedFields = clone(input.metadata.managedFields);
    } else {
      obj = clone(input);
      obj.metadata ??= {};
      if (type.status) obj.status = clone(current.status);
    }
    obj.apiVersion = groupVersion(type);
    obj.kind = type.kind;
    const meta = obj.metadata;
    meta.name = name;
    if (type.namespaced) meta.namespace = current.metadata.namespace;
    else delete meta.namespace;
    meta.uid = current.metadata.uid;
    meta.creationTimestamp = current.metadata.creationTimestamp;
    if (current.metadata.deletionTimestamp) meta.deletionTimestamp = current.metadata.deletionTimestamp;
    else delete meta.deletionTimestamp;
    if (meta.managedFields === undefined && current.metadata.managedFields) {
      meta.managedFields = clone(current.metadata.managedFields);
    }
    applyDefaults(type.kind, obj);
    validate(type, obj, current);
    return this.commit(type, current, obj, options, input.metadata?.managedFields !== undefined);
  }

  private commit(
    type: ResourceType,
    current: KObj,
    obj: KObj,
    options: WriteOptions,
    keepManagedFields: boolean,
  ): KObj {
    const meta = obj.metadata;
    if (type.generation) {
      meta.generation = current.metadata.generation ?? 1;
      if (options.subresource !== 'status' && specPart(obj) !== specPart(current)) meta.generation += 1;
    }
    if (!keepManagedFields && !options.skipManagedFields) {
      recordUpdate(
        current,
        obj,
        options.manager ?? 'unknown',
        obj.apiVersion,
        this.clock.iso(),
        options.subresource,
      );
    }
    meta.resourceVersion = current.metadata.resourceVersion;
    if (canonical(obj) === canonical(current)) return clone(current);
    if (options.dryRun) return obj;
    // Finalizers all removed from an object being deleted: it goes now.
    if (meta.deletionTimestamp && !(meta.finalizers ?? []).length) {
      this.remove(type, obj);
      return clone(obj);
    }
    meta.resourceVersion = String(this.nextRv());
    const key = keyOf(meta.namespace ?? '', meta.name);
    this.bucket(type).set(key, obj);
    this.emit({
      type: 'MODIFIED',
      resourceVersion: this.rv,
      resource: type,
      namespace: meta.namespace ?? '',
      name: meta.name,
      object: obj,
      old: current,
    });
    return clone(obj);
  }

  /**
   * Read-modify-write for controllers and patches: `mutate` gets a copy of the stored object
   * and returns the new one (or undefined for no change). No resourceVersion check.
   */
  modify(
    type: ResourceType,
    namespace: string,
    name: string,
    mutate: (obj: KObj) => KObj | undefined,
    options: WriteOptions = {},
  ): KObj {
    const current = this.bucket(type).get(keyOf(type.namespaced ? namespace : '', name));
    if (!current) throw notFound(type, name);
    const next = mutate(clone(current));
    if (!next) return clone(current);
    if (
      next.metadata?.resourceVersion &&
      next.metadata.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw conflict(type, name, STALE);
    }
    next.metadata ??= {};
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    return this.update(type, namespace, name, next, options);
  }

  /** Server-side apply (`PATCH` with `application/apply-patch+yaml`); creates when missing. */
  apply(
    type: ResourceType,
    namespace: string,
    name: string,
    applied: KObj,
    manager: string,
    force: boolean,
    options: WriteOptions = {},
  ): { object: KObj; created: boolean } {
    const current = this.bucket(type).get(keyOf(type.namespaced ? namespace : '', name));
    const gv = groupVersion(type);
    if (applied.apiVersion && applied.apiVersion !== gv) {
      throw new ApiError(
        400,
        'BadRequest',
        `apiVersion in the body (${applied.apiVersion}) does not match ${gv}`,
      );
    }
    if (applied.metadata?.name && applied.metadata.name !== name) {
      throw new ApiError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    }
    const time = this.clock.iso();
    if (!current) {
      const merged = serverSideApply(undefined, applied, manager, force, gv, time, options.subresource);
      merged.metadata ??= {};
      merged.metadata.name = name;
      const created = this.create(type, namespace, merged, { ...options, manager });
      return { object: created, created: true };
    }
    const merged = serverSideApply(current, applied, manager, force, gv, time, options.subresource);
    merged.metadata.resourceVersion = current.metadata.resourceVersion;
    const object = this.update(type, namespace, name, merged, { ...options, manager });
    return { object, created: false };
  }

  delete(type: ResourceType, namespace: string, name: string, options: DeleteOptions = {}): KObj {
    const bucket = this.bucket(type);
    const key = keyOf(type.namespaced ? namespace : '', name);
    const current = bucket.get(key);
    if (!current) throw notFound(type, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    if (options.dryRun) return clone(current);
    const policy = options.propagationPolicy ?? 'Background';
    if (type.kind === 'Namespace') return this.terminateNamespace(current);
    const finalizers: string[] = [...(current.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion'))
      finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (finalizers.length) {
      if (current.metadata.deletionTimestamp) return clone(current);
      const next = clone(current);
      next.metadata.deletionTimestamp = this.clock.iso();
      next.metadata.deletionGracePeriodSeconds = 0;
      next.metadata.finalizers = finalizers;
      if (type.generation) next.metadata.generation = (next.metadata.generation ?? 1) + 1;
      next.metadata.resourceVersion = String(this.nextRv());
      bucket.set(key, next);
      this.emit({
        type: 'MODIFIED',
        resourceVersion: this.rv,
        resource: type,
        namespace: next.metadata.namespace ?? '',
        name,
        object: next,
        old: current,
      });
      this.clock.after(0, () => this.runFinalizers(type, next.metadata.namespace ?? '', name));
      return clone(next);
    }
    return this.remove(type, current);
  }

  private remove(type: ResourceType, current: KObj): KObj {
    const key = keyOf(current.metadata.namespace ?? '', current.metadata.name);
    const removed = clone(current);
    removed.metadata.resourceVersion = String(this.nextRv());
    this.bucket(type).delete(key);
    this.emit({
      type: 'DELETED',
      resourceVersion: this.rv,
      resource: type,
      namespace: removed.metadata.namespace ?? '',
      name: removed.metadata.name,
      object: removed,
      old: current,
    });
    const uid = current.metadata.uid;
    this.clock.after(0, () => this.collectGarbage(uid));
    return clone(removed);
  }

  /** Dependents of `uid` (objects whose ownerReferences name it). */
  dependents(uid: string): { type: ResourceType; obj: KObj }[] {
    const out: { type: ResourceType; obj: KObj }[] = [];
    for (const type of RESOURCE_TYPES) {
      for (const obj of this.bucket(type).values()) {
        if ((obj.metadata.ownerReferences ?? []).some((r: KObj) => r.uid === uid)) out.push({ type, obj });
      }
    }
    return out;
  }

  private ownerExists(ref: KObj, namespace: string): boolean {
    for (const type of RESOURCE_TYPES) {
      if (type.kind !== ref.kind) continue;
      const owner = this.bucket(type).get(keyOf(type.namespaced ? namespace : '', ref.name));
      if (owner && owner.metadata.uid === ref.uid) return true;
    }
    return false;
  }

  /** Background GC: dependents none of whose owners still exist are deleted. */
  private collectGarbage(uid: string): void {
    for (const { type, obj } of this.dependents(uid)) {
      const refs: KObj[] = obj.metadata.ownerReferences ?? [];
      const alive = refs.some((r) => r.uid !== uid && this.ownerExists(r, obj.metadata.namespace ?? ''));
      if (alive || obj.metadata.deletionTimestamp) continue;
      try {
        this.delete(type, obj.metadata.namespace ?? '', obj.metadata.name, {
          propagationPolicy: 'Background',
        });
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
      }
    }
  }

  /** The garbage collector's finalizers: foregroundDeletion and orphan. */
  private runFinalizers(type: ResourceType, namespace: string, name: string): void {
    const current = this.bucket(type).get(keyOf(namespace, name));
    if (!current?.metadata.deletionTimestamp) return;
    const finalizers: string[] = current.metadata.finalizers ?? [];
    const uid = current.metadata.uid;
    if (finalizers.includes('orphan')) {
      for (const dep of this.dependents(uid)) {
        this.modify(dep.type, dep.obj.metadata.namespace ?? '', dep.obj.metadata.name, (o) => {
          o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r: KObj) => r.uid !== uid);
          if (!o.metadata.ownerReferences.length) delete o.metadata.ownerReferences;
          return o;
        });
      }
      this.dropFinalizer(type, namespace, name, 'orphan');
      return;
    }
    if (finalizers.includes('foregroundDeletion')) {
      const deps = this.dependents(uid);
      const blocking = deps.filter((d) =>
        (d.obj.metadata.ownerReferences ?? []).some((r: KObj) => r.uid === uid),
      );
      for (const dep of blocking) {
        if (!dep.obj.metadata.deletionTimestamp) {
          this.delete(dep.type, dep.obj.metadata.namespace ?? '', dep.obj.metadata.name, {
            propagationPolicy: 'Foreground',
          });
        }
      }
      if (this.dependents(uid).length === 0) this.dropFinalizer(type, namespace, name, 'foregroundDeletion');
      else this.clock.after(50, () => this.runFinalizers(type, namespace, name));
    }
  }

  private dropFinalizer(type: ResourceType, namespace: string, name: string, finalizer: string): void {
    if (!this.bucket(type).get(keyOf(namespace, name))) return;
    this.modify(type, namespace, name, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
      if (!o.metadata.finalizers.length) delete o.metadata.finalizers;
      return o;
    });
  }

  private terminateNamespace(current: KObj): KObj {
    const name = current.metadata.name;
    if (current.metadata.deletionTimestamp) return clone(current);
    const next = clone(current);
    next.metadata.deletionTimestamp = this.clock.iso();
    next.status = { ...next.status, phase: 'Terminating' };
    next.metadata.resourceVersion = String(this.nextRv());
    this.bucket(T.namespaces).set(keyOf('', name), next);
    this.emit({
      type: 'MODIFIED',
      resourceVersion: this.rv,
      resource: T.namespaces,
      namespace: '',
      name,
      object: next,
      old: current,
    });
    this.clock.after(0, () => this.finishNamespace(name));
    return clone(next);
  }

  private finishNamespace(name: string): void {
    let remaining = 0;
    for (const type of RESOURCE_TYPES) {
      if (!type.namespaced) continue;
      for (const obj of [...this.bucket(type).values()]) {
        if (obj.metadata.namespace !== name) continue;
        remaining++;
        if (obj.metadata.deletionTimestamp) continue;
        try {
          this.delete(type, name, obj.metadata.name);
        } catch (error) {
          if (!(error instanceof ApiError && error.code === 404)) throw error;
        }
      }
    }
    const stillThere = RESOURCE_TYPES.some(
      (t) => t.namespaced && [...this.bucket(t).values()].some((o) => o.metadata.namespace === name),
    );
    if (stillThere && remaining) {
      this.clock.after(50, () => this.finishNamespace(name));
      return;
    }
    const ns = this.bucket(T.namespaces).get(keyOf('', name));
    if (ns) this.remove(T.namespaces, ns);
  }

  /** Managers owning each field path, for tests inspecting server-side apply. */
  managers(type: ResourceType, namespace: string, name: string): Record<string, number> {
    const obj = this.get(type, namespace, name);
    const out: Record<string, number> = {};
    for (const e of obj.metadata.managedFields ?? []) out[e.manager] = fromFieldsV1(e.fieldsV1).size;
    return out;
  }
}

const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SUFFIX_CHARS[Math.floor(Math.random() * SUFFIX_CHARS.length)];
  return out;
}
