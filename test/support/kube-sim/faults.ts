/**
 * Fault injection for the API server: per path / HTTP method / Kubernetes verb, answer with an
 * error `Status` (429 with Retry-After, 500, 503, 409…), add latency, reset the connection, or
 * cut watch streams — for the next N matching requests or for a time window.
 */

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface FaultRule {
  /** Substring of the URL path, or a RegExp tested against it. Omitted: every path. */
  path?: string | RegExp;
  /** HTTP method (GET, PATCH…). */
  method?: string;
  /** Kubernetes verb, which tells list from get and watch. */
  verb?: Verb;
  /** Answer with this code and a matching `Status` body instead of serving the request. */
  status?: number;
  /** With 429/503: the Retry-After header (and `details.retryAfterSeconds`). */
  retryAfterSeconds?: number;
  message?: string;
  /** Real milliseconds to wait before answering (or before the error). */
  latencyMs?: number;
  /** Destroy the connection without an answer (ECONNRESET at the client). */
  reset?: boolean;
  /** For watches: serve the stream, then cut it after this many real ms. */
  dropWatchAfterMs?: number;
  /** Only the next N matching requests (default: unlimited). */
  times?: number;
  /** Only for this many real ms from now. */
  forMs?: number;
}

export interface FaultHandle {
  readonly id: number;
  /** Requests this rule has acted on. */
  readonly hits: number;
  remove(): void;
}

interface ActiveRule {
  id: number;
  rule: FaultRule;
  hits: number;
  remaining: number;
  until: number;
}

export interface FaultHit {
  rule: FaultRule;
  id: number;
}

export class Faults {
  private rules: ActiveRule[] = [];
  private nextId = 1;
  /** Every fault acted on, oldest first: tests assert their client met it. */
  readonly log: { id: number; method: string; path: string; verb: Verb }[] = [];
  /** Set by the simulator: cuts open watch streams. */
  dropWatchesHook: () => number = () => 0;

  add(rule: FaultRule): FaultHandle {
    const active: ActiveRule = {
      id: this.nextId++,
      rule,
      hits: 0,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
      until: rule.forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + rule.forMs,
    };
    this.rules.push(active);
    return {
      id: active.id,
      get hits() {
        return active.hits;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== active);
      },
    };
  }

  /** Shorthands. */
  status(
    path: string | RegExp,
    status: number,
    options: Omit<FaultRule, 'path' | 'status'> = {},
  ): FaultHandle {
    return this.add({ ...options, path, status });
  }

  tooManyRequests(path: string | RegExp, retryAfterSeconds = 1, times = 1): FaultHandle {
    return this.add({ path, status: 429, retryAfterSeconds, times });
  }

  latency(path: string | RegExp, latencyMs: number, options: Omit<FaultRule, 'path' | 'latencyMs'> = {}) {
    return this.add({ ...options, path, latencyMs });
  }

  /** Cut every open watch stream now; returns how many. */
  dropWatches(): number {
    return this.dropWatchesHook();
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule that applies to this request, consuming one of its `times`. */
  match(method: string, path: string, verb: Verb): FaultHit | undefined {
    const now = Date.now();
    this.rules = this.rules.filter((r) => r.remaining > 0 && r.until > now);
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.verb && rule.verb !== verb) continue;
      if (rule.path !== undefined) {
        const ok = typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path);
        if (!ok) continue;
      }
      if (rule.dropWatchAfterMs !== undefined && verb !== 'watch') continue;
      active.remaining--;
      active.hits++;
      this.log.push({ id: active.id, method, path, verb });
      return { rule, id: active.id };
    }
    return undefined;
  }
}

export const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};
