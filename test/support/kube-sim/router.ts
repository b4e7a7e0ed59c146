import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { type Faults, REASONS, type Verb } from './faults.js';
import { openApiV3Document, openApiV3Index } from './openapi.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, clone } from './patch.js';
import { findType, groupVersion, type KObj, type ResourceType } from './resources.js';
import { selectorString } from './selectors.js';
import {
  ApiError,
  badRequest,
  conflict,
  methodNotAllowed,
  notFound,
  STALE,
  statusBody,
  successStatus,
  unauthorized,
  unsupportedMediaType,
} from './status.js';
import type { Store } from './store.js';
import { toTable, wantsTable } from './table.js';
import type { WatchHub } from './watch.js';

/**
 * The REST front: Kubernetes paths (`/api/v1/namespaces/{ns}/pods/{name}`, `/apis/apps/v1/…`,
 * `/status`, `/scale`, the legacy `/watch/` prefix), bearer-token authentication, verbs, patch
 * content types, list paging, Table output for kubectl, and fault injection before each request.
 */

export interface RequestRecord {
  method: string;
  path: string;
  verb: Verb | 'discovery';
  status: number;
  contentType?: string;
}

export interface RouterOptions {
  store: Store;
  watches: WatchHub;
  faults: Faults;
  token: string;
  /** Max records kept in `requests`. */
  requestLogSize?: number;
}

interface Target {
  type: ResourceType;
  namespace: string;
  name?: string;
  subresource?: string;
  watchPrefix: boolean;
}

const PATCH_TYPES = new Set([
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
]);

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'content-type': 'application/json',
    'cache-control': 'no-cache, private',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`error decoding from json: ${(error as Error).message}`);
  }
}

function managerFrom(req: IncomingMessage, query: URLSearchParams): string {
  const explicit = query.get('fieldManager');
  if (explicit) return explicit;
  const agent = req.headers['user-agent'] ?? '';
  const prefix = agent.split('/')[0]?.trim();
  return prefix || 'unknown';
}

function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}

function stripForList(obj: KObj): KObj {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

export class Router {
  readonly requests: RequestRecord[] = [];
  private readonly store: Store;
  private readonly watches: WatchHub;
  private readonly faults: Faults;
  private readonly token: string;
  private readonly logSize: number;

  constructor(options: RouterOptions) {
    this.store = options.store;
    this.watches = options.watches;
    this.faults = options.faults;
    this.token = options.token;
    this.logSize = options.requestLogSize ?? 5000;
  }

  private record(entry: RequestRecord): void {
    this.requests.push(entry);
    if (this.requests.length > this.logSize) this.requests.splice(0, this.requests.length - this.logSize);
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res).catch((error) => {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError(500, 'InternalError', `kube-sim: ${(error as Error).stack}`);
      send(res, apiError.code, apiError.toStatus(), apiError.headers);
    });
  };

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kube-sim');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const query = url.searchParams;

    if (path === '/version' || path === '/healthz' || path === '/livez' || path === '/readyz') {
      if (path === '/version') {
        send(res, 200, {
          major: '1',
          minor: '32',
          gitVersion: 'v1.32.0-kube-sim',
          gitCommit: '0000000000000000000000000000000000000000',
          gitTreeState: 'clean',
          buildDate: '2025-01-01T00:00:00Z',
          goVersion: 'go1.23.0',
          compiler: 'gc',
          platform: 'linux/amd64',
        });
      } else {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('ok');
      }
      return;
    }

    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${this.token}`) {
      this.record({ method, path, verb: 'get', status: 401 });
      send(res, 401, unauthorized().toStatus());
      return;
    }

    const target = this.resolve(path);
    const verb = target ? this.verbOf(method, target, query) : 'get';
    const fault = this.faults.match(method, path, verb);
    if (fault) {
      const { rule } = fault;
      if (rule.latencyMs) await new Promise((r) => setTimeout(r, rule.latencyMs));
      if (rule.reset) {
        this.record({ method, path, verb, status: 0 });
        req.socket.destroy();
        return;
      }
      if (rule.status) {
        const headers: Record<string, string> = {};
        const details: KObj = {};
        if (rule.retryAfterSeconds !== undefined) {
          headers['retry-after'] = String(rule.retryAfterSeconds);
          details.retryAfterSeconds = rule.retryAfterSeconds;
        }
        const reason = REASONS[rule.status] ?? 'InternalError';
        const message =
          rule.message ??
          (rule.status === 429
            ? 'Too many requests, please try again later.'
            : rule.status === 409
              ? `Operation cannot be fulfilled on ${target?.type.plural ?? 'resource'} "${target?.name ?? ''}": ${STALE}`
              : `kube-sim injected fault: ${rule.status}`);
        await readBody(req).catch(() => '');
        this.record({ method, path, verb, status: rule.status });
        send(
          res,
          rule.status,
          statusBody(rule.status, reason, message, Object.keys(details).length ? details : undefined),
          headers,
        );
        return;
      }
      if (rule.dropWatchAfterMs !== undefined) {
        setTimeout(() => res.socket?.destroy(), rule.dropWatchAfterMs).unref();
      }
    }

    const discovery = this.discovery(path, req);
    if (discovery) {
      this.record({ method, path, verb: 'discovery', status: 200 });
      send(res, 200, discovery);
      return;
    }
    if (!target) {
      this.record({ method, path, verb, status: 404 });
      send(res, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource', {}));
      return;
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    try {
      const { code, body, headers } = await this.serve(req, res, target, verb, query, contentType);
      this.record({ method, path, verb, status: code, contentType });
      if (body !== undefined) send(res, code, body, headers);
    } catch (error) {
      const status = error instanceof ApiError ? error.code : 500;
      this.record({ method, path, verb, status, contentType });
      throw error;
    }
  }

  private discovery(path: string, req: IncomingMessage): KObj | undefined {
    if (path === '/api') return apiVersions(req.headers.host ?? '127.0.0.1');
    if (path === '/apis') return apiGroupList();
    if (path === '/openapi/v3') return openApiV3Index();
    if (path.startsWith('/openapi/v3/')) return openApiV3Document(path);
    let m = /^\/api\/(v1)$/.exec(path);
    if (m) return apiResourceList('', m[1]!);
    m = /^\/apis\/([^/]+)$/.exec(path);
    if (m) return apiGroup(m[1]!);
    m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (m) return apiResourceList(m[1]!, m[2]!);
    return undefined;
  }

  private resolve(path: string): Target | undefined {
    const segments = path
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments.length >= 3) {
      group = '';
      version = segments[1]!;
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 4) {
      group = segments[1]!;
      version = segments[2]!;
      rest = segments.slice(3);
    } else return undefined;
    let watchPrefix = false;
    if (rest[0] === 'watch') {
      watchPrefix = true;
      rest = rest.slice(1);
    }
    if (rest[0] === 'namespaces' && rest.length >= 3 && findType(group, version, rest[2]!)?.namespaced) {
      const type = findType(group, version, rest[2]!)!;
      if (rest.length > 5) return undefined;
      return { type, namespace: rest[1]!, name: rest[3], subresource: rest[4], watchPrefix };
    }
    const type = findType(group, version, rest[0] ?? '');
    if (!type || rest.length > 3) return undefined;
    return { type, namespace: '', name: rest[1], subresource: rest[2], watchPrefix };
  }

  private verbOf(method: string, target: Target, query: URLSearchParams): Verb {
    switch (method) {
      case 'GET':
        if (target.watchPrefix || boolParam(query, 'watch')) return 'watch';
        return target.name ? 'get' : 'list';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      case 'DELETE':
        return target.name ? 'delete' : 'deletecollection';
      default:
        return 'get';
    }
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    verb: Verb,
    query: URLSearchParams,
    contentType: string,
  ): Promise<{ code: number; body?: unknown; headers?: Record<string, string> }> {
    const { type, namespace, name, subresource } = target;
    if (
      subresource &&
      !((subresource === 'status' && type.status) || (subresource === 'scale' && type.scale))
    ) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (type.namespaced && !namespace && name) throw notFound(type, name);
    const dryRun = query.getAll('dryRun').includes('All');
    const manager = managerFrom(req, query);
    const sub = subresource === 'status' ? ('status' as const) : undefined;

    switch (verb) {
      case 'watch':
        this.watches.serve(res, {
          type,
          namespace: namespace || undefined,
          name,
          resourceVersion: query.get('resourceVersion') ?? undefined,
          labelSelector: query.get('labelSelector') ?? undefined,
          fieldSelector: query.get('fieldSelector') ?? undefined,
          allowWatchBookmarks: boolParam(query, 'allowWatchBookmarks'),
          sendInitialEvents: boolParam(query, 'sendInitialEvents'),
          timeoutSeconds: query.has('timeoutSeconds') ? Number(query.get('timeoutSeconds')) : undefined,
        });
        return { code: 200 };
      case 'list':
        return { code: 200, body: this.list(req, type, namespace, query) };
      case 'get': {
        const obj = this.store.get(type, namespace, name!);
        if (subresource === 'scale') return { code: 200, body: toScale(obj) };
        if (wantsTable(req.headers.accept))
          return { code: 200, body: toTable(type, [obj], String(obj.metadata.resourceVersion)) };
        return { code: 200, body: obj };
      }
      case 'create': {
        if (name) throw methodNotAllowed();
        const body = parseJson(await readBody(req)) as KObj;
        this.checkKind(type, body);
        const created = this.store.create(type, namespace, body, { manager, dryRun });
        return { code: 201, body: created };
      }
      case 'update': {
        const body = parseJson(await readBody(req)) as KObj;
        if (subresource === 'scale')
          return { code: 200, body: this.updateScale(type, namespace, name!, body, manager, dryRun) };
        this.checkKind(type, body);
        const updated = this.store.update(type, namespace, name!, body, {
          manager,
          dryRun,
          subresource: sub,
        });
        return { code: 200, body: updated };
      }
      case 'patch': {
        if (!PATCH_TYPES.has(contentType)) throw unsupportedMediaType(contentType);
        const text = await readBody(req);
        return this.patch(type, namespace, name!, subresource, contentType, text, query, manager, dryRun);
      }
      case 'delete': {
        const text = await readBody(req);
        const options = (text ? parseJson(text) : {}) as KObj;
        const propagationPolicy = query.get('propagationPolicy') ?? options.propagationPolicy;
        const deleted = this.store.delete(type, namespace, name!, {
          propagationPolicy,
          preconditions: options.preconditions,
          dryRun: dryRun || (options.dryRun ?? []).includes('All'),
        });
        const gone = !this.store.tryGet(type, namespace, name!) || dryRun;
        if (!gone) return { code: 202, body: deleted };
        if (type.kind === 'Pod') return { code: 200, body: deleted };
        return { code: 200, body: successStatus(type, name!, deleted.metadata.uid) };
      }
      case 'deletecollection': {
        const items = this.store.list(type, namespace || undefined, {
          labelSelector: query.get('labelSelector') ?? undefined,
          fieldSelector: query.get('fieldSelector') ?? undefined,
        });
        const deleted = items.map((o) =>
          this.store.delete(type, o.metadata.namespace ?? '', o.metadata.name, { dryRun }),
        );
        return {
          code: 200,
          body: {
            kind: `${type.kind}List`,
            apiVersion: groupVersion(type),
            metadata: { resourceVersion: String(this.store.resourceVersion) },
            items: deleted.map(stripForList),
          },
        };
      }
    }
    throw methodNotAllowed();
  }

  private checkKind(type: ResourceType, body: KObj): void {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw badRequest('the request body must be an object');
    if (body.kind && body.kind !== type.kind) {
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${groupVersion(type)})`,
      );
    }
    if (body.apiVersion && body.apiVersion !== groupVersion(type)) {
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${groupVersion(type)})`,
      );
    }
  }

  private list(req: IncomingMessage, type: ResourceType, namespace: string, query: URLSearchParams): KObj {
    const rv = String(this.store.resourceVersion);
    let items = this.store.list(type, namespace || undefined, {
      labelSelector: query.get('labelSelector') ?? undefined,
      fieldSelector: query.get('fieldSelector') ?? undefined,
    });
    const metadata: KObj = { resourceVersion: rv };
    const limit = Number(query.get('limit') ?? 0);
    const token = query.get('continue');
    let start = 0;
    let listRv = rv;
    if (token) {
      try {
        const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
          rv: string;
          start: number;
        };
        start = parsed.start;
        listRv = parsed.rv;
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      if (Number(listRv) < this.store.oldestWatchableVersion) {
        throw new ApiError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      metadata.resourceVersion = listRv;
    }
    if (limit > 0 || start > 0) {
      const page = items.slice(start, limit > 0 ? start + limit : undefined);
      const remaining = items.length - start - page.length;
      if (limit > 0 && remaining > 0) {
        metadata.continue = Buffer.from(JSON.stringify({ rv: listRv, start: start + page.length })).toString(
          'base64url',
        );
        metadata.remainingItemCount = remaining;
      }
      items = page;
    }
    if (wantsTable(req.headers.accept))
      return toTable(type, items, metadata.resourceVersion, metadata.continue);
    return {
      kind: `${type.kind}List`,
      apiVersion: groupVersion(type),
      metadata,
      items: items.map(stripForList),
    };
  }

  private updateScale(
    type: ResourceType,
    namespace: string,
    name: string,
    scale: KObj,
    manager: string,
    dryRun: boolean,
  ): KObj {
    const current = this.store.get(type, namespace, name);
    const wantedRv = scale.metadata?.resourceVersion;
    if (wantedRv && wantedRv !== current.metadata.resourceVersion) throw conflict(type, name, STALE);
    const replicas = scale.spec?.replicas;
    if (typeof replicas !== 'number' || replicas < 0) {
      throw new ApiError(
        422,
        'Invalid',
        `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`,
        {
          name,
          group: 'autoscaling',
          kind: 'Scale',
          causes: [
            {
              reason: 'FieldValueInvalid',
              message: `Invalid value: ${replicas}: must be greater than or equal to 0`,
              field: 'spec.replicas',
            },
          ],
        },
      );
    }
    const next = clone(current);
    next.spec.replicas = replicas;
    const updated = this.store.update(type, namespace, name, next, { manager, dryRun });
    return toScale(updated);
  }

  private patch(
    type: ResourceType,
    namespace: string,
    name: string,
    subresource: string | undefined,
    contentType: string,
    text: string,
    query: URLSearchParams,
    manager: string,
    dryRun: boolean,
  ): { code: number; body: KObj } {
    const sub = subresource === 'status' ? ('status' as const) : undefined;
    if (contentType === 'application/apply-patch+yaml') {
      if (!query.get('fieldManager')) {
        throw badRequest(
          'PATCH /apply requests require a fieldManager query parameter: fieldManager is required for apply requests',
        );
      }
      let applied: unknown;
      try {
        applied = parseYaml(text);
      } catch (error) {
        throw badRequest(`error decoding YAML: ${(error as Error).message}`);
      }
      if (!applied || typeof applied !== 'object' || Array.isArray(applied))
        throw badRequest('apply patch must be an object');
      const body = applied as KObj;
      if (subresource === 'scale') {
        const current = this.store.get(type, namespace, name);
        const next = clone(current);
        next.spec.replicas = body.spec?.replicas ?? next.spec.replicas;
        return {
          code: 200,
          body: toScale(this.store.update(type, namespace, name, next, { manager, dryRun })),
        };
      }
      if (!body.kind || !body.apiVersion) {
        throw badRequest(`Object 'Kind' is missing in '${text.slice(0, 200)}'`);
      }
      if (body.kind !== type.kind)
        throw badRequest(`the kind in the apply patch (${body.kind}) does not match ${type.kind}`);
      const { object, created } = this.store.apply(
        type,
        namespace,
        name,
        body,
        query.get('fieldManager')!,
        boolParam(query, 'force'),
        {
          dryRun,
          subresource: sub,
        },
      );
      return { code: created ? 201 : 200, body: object };
    }
    if (
      contentType === 'application/strategic-merge-patch+json' &&
      type.group === 'gateway.networking.k8s.io'
    ) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        'strategic merge patch is not supported for custom resources: use merge patch or json patch',
      );
    }
    const patchBody = parseJson(text);
    const current = this.store.get(type, namespace, name);
    const base = subresource === 'scale' ? toScale(current) : current;
    let patched: KObj;
    if (contentType === 'application/json-patch+json') patched = applyJsonPatch(base, patchBody);
    else if (contentType === 'application/merge-patch+json')
      patched = applyMergePatch(base, patchBody) as KObj;
    else patched = applyStrategicMergePatch(base, patchBody);
    if (subresource === 'scale') {
      return { code: 200, body: this.updateScale(type, namespace, name, patched, manager, dryRun) };
    }
    const updated = this.store.update(type, namespace, name, patched, { manager, dryRun, subresource: sub });
    return { code: 200, body: updated };
  }
}

/** The `autoscaling/v1 Scale` view of a Deployment or ReplicaSet. */
export function toScale(obj: KObj): KObj {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorString(obj.spec?.selector) },
  };
}
