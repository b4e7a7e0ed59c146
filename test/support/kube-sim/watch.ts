import type { ServerResponse } from 'node:http';
import type { SimClock } from './clock.js';
import { groupVersion, type KObj, type ResourceType, typeKey } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError, badRequest } from './status.js';
import type { Store, StoreEvent } from './store.js';

/**
 * Watch streams: newline-delimited `{"type","object"}` events from a resourceVersion (or the
 * current state as ADDED events first), selector transitions as ADDED/DELETED the way the watch
 * cache sends them, BOOKMARK events when asked for, `ERROR` with a 410 `Status` for a version
 * older than the history, `timeoutSeconds`, and dropping of live streams for fault tests.
 */

export interface WatchParams {
  type: ResourceType;
  namespace?: string;
  name?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

interface ActiveWatch {
  params: WatchParams;
  close: () => void;
  sent: number;
}

export class WatchHub {
  private readonly active = new Set<ActiveWatch>();
  /** Drop each new watch after this many events (fault injection); undefined: never. */
  dropAfterEvents: number | undefined;

  private readonly store: Store;
  private readonly clock: SimClock;
  /** Simulated ms between BOOKMARK events. */
  private readonly bookmarkIntervalMs: number;

  constructor(store: Store, clock: SimClock, bookmarkIntervalMs: number) {
    this.store = store;
    this.clock = clock;
    this.bookmarkIntervalMs = bookmarkIntervalMs;
  }

  get count(): number {
    return this.active.size;
  }

  /** Close every open watch stream, as a restarting API server or a broken proxy would. */
  dropAll(filter?: (params: WatchParams) => boolean): number {
    let n = 0;
    for (const w of [...this.active]) {
      if (!filter || filter(w.params)) {
        w.close();
        n++;
      }
    }
    return n;
  }

  serve(res: ServerResponse, params: WatchParams, opts: { destroyOnClose?: boolean } = {}): void {
    const labels = parseLabelSelector(params.labelSelector);
    const fields = parseFieldSelector(params.fieldSelector);
    const matches = (obj: KObj | undefined): boolean => {
      if (!obj) return false;
      if (params.namespace && obj.metadata.namespace !== params.namespace) return false;
      if (params.name && obj.metadata.name !== params.name) return false;
      return labels(obj.metadata.labels) && fields(obj);
    };
    const requested = params.resourceVersion ?? '';
    let backlog: StoreEvent[] = [];
    let initial: KObj[] = [];
    if (requested === '' || requested === '0' || params.sendInitialEvents) {
      initial = this.store.list(params.type, params.namespace).filter(matches);
    }
    if (!(requested === '' || requested === '0') && !params.sendInitialEvents) {
      if (!/^\d+$/.test(requested)) throw badRequest(`invalid resource version: ${requested}`);
      try {
        backlog = this.store.eventsSince(Number(requested), requested);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
        res.end(`${JSON.stringify({ type: 'ERROR', object: error.toStatus() })}\n`);
        return;
      }
    }

    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-cache, private',
      'transfer-encoding': 'chunked',
    });
    res.flushHeaders();

    const key = typeKey(params.type);
    let closed = false;
    const watch: ActiveWatch = { params, sent: 0, close: () => finish(true) };
    const write = (type: string, object: KObj) => {
      if (closed) return;
      res.write(`${JSON.stringify({ type, object })}\n`);
      if (type !== 'BOOKMARK') watch.sent++;
      if (this.dropAfterEvents !== undefined && watch.sent >= this.dropAfterEvents) finish(true);
    };
    const deliver = (event: StoreEvent) => {
      if (typeKey(event.resource) !== key) return;
      const now = matches(event.object);
      const before = event.type === 'MODIFIED' ? matches(event.old) : false;
      if (event.type === 'ADDED') {
        if (now) write('ADDED', event.object);
      } else if (event.type === 'DELETED') {
        if (matches(event.object)) write('DELETED', event.object);
      } else if (now && before) write('MODIFIED', event.object);
      else if (now) write('ADDED', event.object);
      else if (before) write('DELETED', event.object);
    };

    let bookmarkTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    const unsubscribe = this.store.subscribe(deliver);
    const finish = (abrupt: boolean) => {
      if (closed) return;
      closed = true;
      unsubscribe();
      this.clock.cancel(bookmarkTimer);
      this.clock.cancel(timeoutTimer);
      this.active.delete(watch);
      if (abrupt && opts.destroyOnClose !== false) res.socket?.destroy();
      else res.end();
    };
    this.active.add(watch);
    res.on('close', () => finish(false));

    for (const obj of initial) write('ADDED', obj);
    if (params.sendInitialEvents && params.allowWatchBookmarks) {
      write('BOOKMARK', this.bookmark(params.type, { 'k8s.io/initial-events-end': 'true' }));
    }
    for (const event of backlog) deliver(event);

    if (params.allowWatchBookmarks) {
      const tick = () => {
        write('BOOKMARK', this.bookmark(params.type));
        bookmarkTimer = this.clock.after(this.bookmarkIntervalMs, tick);
      };
      bookmarkTimer = this.clock.after(this.bookmarkIntervalMs, tick);
    }
    if (params.timeoutSeconds !== undefined && params.timeoutSeconds > 0) {
      timeoutTimer = this.clock.after(params.timeoutSeconds * 1000, () => finish(false));
    }
  }

  private bookmark(type: ResourceType, annotations?: Record<string, string>): KObj {
    const object = bookmarkFor(type, this.store.resourceVersion);
    if (annotations) object.metadata.annotations = annotations;
    return object;
  }
}

/** The object a BOOKMARK carries for a type: kind and apiVersion plus the resourceVersion. */
export function bookmarkFor(type: ResourceType, resourceVersion: number): KObj {
  return {
    kind: type.kind,
    apiVersion: groupVersion(type),
    metadata: { resourceVersion: String(resourceVersion) },
  };
}
