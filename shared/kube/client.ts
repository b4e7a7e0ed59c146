import { request as httpRequest } from 'node:http';
import { type RequestOptions as HttpsRequestOptions, request as httpsRequest } from 'node:https';
import { UserError } from '../errors.js';
import { PermanentError, parseRetryAfter, RetryableError, type RetryOptions, retry } from '../retry.js';
import { describeStatusBody, isNotFound, KubeApiError } from './api-error.js';
import type { KubeconfigSource } from './kubeconfig.js';
import { loadClientNode } from './load-client-node.js';

export interface KubeClientOptions {
  source: KubeconfigSource;
  /** Context name; default the kubeconfig's current context. */
  context?: string;
  signal?: AbortSignal;
  /** Overrides of the suite's retry policy (tests shorten the waits). */
  retry?: RetryOptions;
  /** Called for each retried request, to count faults in the report. */
  onRetry?: (reason: string) => void;
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
}

export type WatchEvent = { type: string; object: Record<string, unknown> };

/**
 * A thin Kubernetes REST client: @kubernetes/client-node supplies the kubeconfig handling
 * (TLS, tokens, exec plugins) and the HTTP library; requests are plain paths so every patch
 * type and every Status message stays visible. 429, 5xx and network failures are retried
 * through the suite's one retry policy.
 */
export class KubeClient {
  private constructor(
    private readonly kc: import('@kubernetes/client-node').KubeConfig,
    private readonly lib: typeof import('@kubernetes/client-node'),
    private readonly options: KubeClientOptions,
    readonly server: string,
    readonly contextName: string,
    readonly defaultNamespace: string | undefined,
  ) {}

  static async create(options: KubeClientOptions): Promise<KubeClient> {
    const lib = await loadClientNode();
    const kc = new lib.KubeConfig();
    try {
      if (options.source.kind === 'inline') kc.loadFromString(options.source.content);
      else kc.loadFromFile(options.source.path);
    } catch (error) {
      throw new UserError(`kubeconfig could not be read: ${(error as Error).message}`);
    }
    if (options.context) {
      if (!kc.getContexts().some((c) => c.name === options.context)) {
        throw new UserError(
          `kubeconfig has no context "${options.context}"; it has ${kc
            .getContexts()
            .map((c) => c.name)
            .join(', ')}`,
        );
      }
      kc.setCurrentContext(options.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new UserError('kubeconfig has no current cluster (set "context")');
    const context = kc.getContextObject(kc.getCurrentContext());
    return new KubeClient(
      kc,
      lib,
      options,
      cluster.server.replace(/\/+$/, ''),
      kc.getCurrentContext(),
      context?.namespace,
    );
  }

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  /** One API call, retried on 429/5xx/network errors; throws KubeApiError for other failures. */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const { lib } = this;
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return retry(
      async () => {
        if (this.options.signal?.aborted)
          throw new PermanentError('cancelled', { cause: this.options.signal.reason });
        const ctx = new lib.RequestContext(url.toString(), method as never);
        await this.kc.applySecurityAuthentication(ctx);
        ctx.setHeaderParam('Accept', 'application/json');
        if (options.body !== undefined) {
          ctx.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
          ctx.setBody(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
        }
        if (this.options.signal) ctx.setSignal(this.options.signal as never);
        let status: number;
        let text: string;
        let retryAfter: string | undefined;
        try {
          const response = await new lib.IsomorphicFetchHttpLibrary().send(ctx).toPromise();
          status = response.httpStatusCode;
          retryAfter = response.headers['retry-after'];
          text = await response.body.text();
        } catch (error) {
          if (this.options.signal?.aborted) throw new PermanentError('cancelled', { cause: error });
          const cause = (error as { cause?: { code?: string } }).cause;
          throw new RetryableError(
            `${method} ${path}: ${(error as Error).message}${cause?.code ? ` (${cause.code})` : ''}`,
          );
        }
        if (status === 429 || status >= 500) {
          throw new RetryableError(`${method} ${path}: HTTP ${status}`, parseRetryAfter(retryAfter));
        }
        if (status < 200 || status >= 300) {
          const described = describeStatusBody(text);
          throw new PermanentError('api error', {
            cause: new KubeApiError(method, path, status, described.reason, described.message),
          });
        }
        return (text ? JSON.parse(text) : {}) as T;
      },
      {
        attempts: 6,
        baseDelayMs: 250,
        maxDelayMs: 5000,
        deadlineMs: 60_000,
        ...this.options.retry,
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        onRetry: (info) => this.options.onRetry?.(info.reason),
      },
    );
  }

  /** GET that answers undefined for 404. */
  async get<T = Record<string, unknown>>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  mergePatch<T = Record<string, unknown>>(path: string, patch: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body: patch, contentType: 'application/merge-patch+json' });
  }

  jsonPatch<T = Record<string, unknown>>(path: string, operations: unknown[]): Promise<T> {
    return this.request<T>('PATCH', path, { body: operations, contentType: 'application/json-patch+json' });
  }

  /** Server-side apply with the suite's field manager, taking over conflicting fields. */
  apply<T = Record<string, unknown>>(path: string, object: unknown, dryRun = false): Promise<T> {
    return this.request<T>('PATCH', path, {
      body: object,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: FIELD_MANAGER, force: true, ...(dryRun ? { dryRun: 'All' } : {}) },
    });
  }

  /**
   * Opens one watch connection; `onEvent` sees each event, `onDone` the end (error or close;
   * an HTTP error carries `statusCode`). Returns a function that stops it.
   *
   * Plain node:http(s) with the kubeconfig's TLS, proxy and credentials rather than
   * client-node's Watch: its fetch body passes each event through a web stream, a Node stream
   * and readline before the callback, which cost the action milliseconds per rollout against
   * `kubectl rollout status` (see test/bench/deploy-rollback.bench.mjs).
   */
  async watch(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (event: WatchEvent) => void,
    onDone: (error: unknown) => void,
  ): Promise<() => void> {
    const url = new URL(this.server + path);
    url.searchParams.set('watch', 'true');
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const options: HttpsRequestOptions = {};
    await this.kc.applyToHTTPSOptions(options);
    let finished = false;
    const finish = (error: unknown) => {
      if (finished) return;
      finished = true;
      request.destroy();
      onDone(error);
    };
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      ...options,
      method: 'GET',
      headers: { ...(options.headers ?? {}), accept: 'application/json' },
    });
    // A connection that stays silent this long is presumed dead (servers send bookmarks); the
    // caller resumes from the last resourceVersion.
    request.setTimeout(WATCH_IDLE_MS, () =>
      finish(new Error(`watch ${path}: no data for ${WATCH_IDLE_MS} ms`)),
    );
    request.on('error', finish);
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        finish(
          Object.assign(new Error(`watch ${path}: HTTP ${response.statusCode}`), {
            statusCode: response.statusCode,
          }),
        );
        return;
      }
      response.setEncoding('utf8');
      let pending = '';
      response.on('data', (chunk: string) => {
        pending += chunk;
        for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (finished) return;
          const event = parseWatchLine(line);
          if (event) onEvent(event);
        }
      });
      response.on('end', () => finish(null));
      response.on('close', () => finish(null));
      response.on('error', finish);
    });
    request.end();
    return () => {
      finished = true;
      request.destroy();
    };
  }
}

const WATCH_IDLE_MS = 90_000;

function parseWatchLine(line: string): WatchEvent | undefined {
  if (!line.trim()) return undefined;
  try {
    const parsed = JSON.parse(line) as { type?: unknown; object?: unknown };
    if (typeof parsed.type !== 'string' || !parsed.object || typeof parsed.object !== 'object')
      return undefined;
    return { type: parsed.type, object: parsed.object as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

export const FIELD_MANAGER = 'deploy-actions';
