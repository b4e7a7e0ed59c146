import { sleep } from '../retry.js';
import type { KubeClient, WatchEvent } from './client.js';
import type { KubeList, ObjectMeta } from './objects.js';

export interface Verdict {
  done: boolean;
  failed?: boolean;
  message: string;
}

export interface WaitOptions<T> {
  /** Collection path, e.g. /apis/apps/v1/namespaces/x/deployments. */
  collection: string;
  name: string;
  judge: (object: T | undefined) => Verdict;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Each new message, for the log. */
  onProgress?: (message: string) => void;
}

export interface WaitResult<T> {
  outcome: 'done' | 'failed' | 'timeout' | 'cancelled';
  object: T | undefined;
  message: string;
  /** Date.now() when the verdict was reached. */
  noticedAt: number;
  /** Watches reopened from the last resourceVersion after a dropped connection. */
  resumes: number;
  /** Full re-lists after the server said the resourceVersion was too old (410 Gone). */
  relists: number;
}

/**
 * Waits for one object to reach a verdict by watching it, not polling: list once for the
 * current state and its resourceVersion, then watch from there. A dropped connection resumes
 * from the last resourceVersion seen; 410 Gone (history compacted) re-lists first.
 */
export async function waitFor<T extends { metadata?: ObjectMeta }>(
  client: KubeClient,
  options: WaitOptions<T>,
): Promise<WaitResult<T>> {
  const started = Date.now();
  const fieldSelector = `metadata.name=${options.name}`;
  let resourceVersion: string | undefined;
  let latest: T | undefined;
  let lastMessage = '';
  let resumes = 0;
  let relists = 0;
  let needRelist = true;
  let failures = 0;

  const finish = (outcome: WaitResult<T>['outcome'], message: string): WaitResult<T> => ({
    outcome,
    object: latest,
    message,
    noticedAt: Date.now(),
    resumes,
    relists,
  });
  const judge = (): Verdict => {
    const verdict = options.judge(latest);
    if (verdict.message !== lastMessage) {
      lastMessage = verdict.message;
      options.onProgress?.(verdict.message);
    }
    return verdict;
  };
  const remaining = () => options.timeoutMs - (Date.now() - started);

  for (;;) {
    if (options.signal?.aborted) return finish('cancelled', 'cancelled');
    if (remaining() <= 0) return finish('timeout', `timed out after ${options.timeoutMs} ms: ${lastMessage}`);
    if (needRelist) {
      const list = await client.request<KubeList<T>>('GET', options.collection, { query: { fieldSelector } });
      latest = list.items.find((item) => item.metadata?.name === options.name);
      resourceVersion = list.metadata?.resourceVersion;
      needRelist = false;
      const verdict = judge();
      if (verdict.done) return finish('done', verdict.message);
      if (verdict.failed) return finish('failed', verdict.message);
    }

    const ended = await new Promise<{
      verdict?: Verdict;
      gone?: boolean;
      error?: unknown;
      timeout?: boolean;
    }>((resolve) => {
      let settled = false;
      let stop: (() => void) | undefined;
      const settle = (value: { verdict?: Verdict; gone?: boolean; error?: unknown; timeout?: boolean }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(value);
        // The verdict goes out first; closing the connection (milliseconds of stream teardown)
        // happens after the caller has moved on.
        if (stop) setImmediate(stop);
      };
      const timer = setTimeout(() => settle({ timeout: true }), Math.max(1, remaining()));
      const onAbort = () => settle({});
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const onEvent = (event: WatchEvent) => {
        if (event.type === 'ERROR') {
          const code = (event.object as { code?: number }).code;
          settle(
            code === 410
              ? { gone: true }
              : { error: new Error(String(event.object.message ?? 'watch error')) },
          );
          return;
        }
        const version = (event.object.metadata as ObjectMeta | undefined)?.resourceVersion;
        if (version) resourceVersion = version;
        if (event.type === 'BOOKMARK') return;
        if ((event.object.metadata as ObjectMeta | undefined)?.name !== options.name) return;
        failures = 0;
        latest = event.type === 'DELETED' ? undefined : (event.object as T);
        const verdict = judge();
        if (verdict.done || verdict.failed) settle({ verdict });
      };
      const onDone = (error: unknown) => {
        const status = (error as { statusCode?: number } | null)?.statusCode;
        settle(status === 410 ? { gone: true } : { error: error ?? new Error('watch closed by the server') });
      };
      client
        .watch(
          options.collection,
          {
            fieldSelector,
            resourceVersion,
            allowWatchBookmarks: 'true',
            timeoutSeconds: String(Math.max(1, Math.ceil(remaining() / 1000))),
          },
          onEvent,
          onDone,
        )
        .then(
          (stopper) => {
            stop = stopper;
            if (settled) stopper();
          },
          (error: unknown) => settle({ error }),
        );
    });

    if (ended.verdict?.done) return finish('done', ended.verdict.message);
    if (ended.verdict?.failed) return finish('failed', ended.verdict.message);
    if (ended.timeout) return finish('timeout', `timed out after ${options.timeoutMs} ms: ${lastMessage}`);
    if (options.signal?.aborted) return finish('cancelled', 'cancelled');
    if (ended.gone) {
      relists++;
      needRelist = true;
      continue;
    }
    // A dropped or refused watch: reopen from the last resourceVersion, backing off on repeats.
    resumes++;
    failures++;
    const delay = Math.min(2000, 100 * 2 ** Math.min(failures - 1, 5));
    try {
      await sleep(Math.min(delay, Math.max(0, remaining())), options.signal);
    } catch {
      return finish('cancelled', 'cancelled');
    }
  }
}
