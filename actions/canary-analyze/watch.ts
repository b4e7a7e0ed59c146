import * as core from '@actions/core';
import { sleep } from '../../shared/retry.js';
import { analyzeWindow, type LookState } from './analyze-window.js';
import { type DecisionResult, decide } from './decide.js';
import type { MetricResult } from './judge.js';
import { PrometheusClient, prometheusTransport } from './prometheus.js';
import type { AnalysisSettings } from './settings.js';

export interface Look {
  window: { start: Date; end: Date };
  metrics: MetricResult[];
  decision: DecisionResult;
}

export interface AnalysisRun {
  looks: number;
  last: Look;
  prometheusQueries: number;
  prometheusRetries: number;
}

export interface WatchDeps {
  now?: () => Date;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  client?: (settings: AnalysisSettings) => PrometheusClient;
}

/**
 * One look (`once`) or repeated looks every interval (`watch`) over the window that starts
 * when the canary step did. A watch returns as soon as the decision is certain: at once on a
 * rollback, on promote once the minimum time has passed, and at the end of the duration with
 * whatever is still undecided made inconclusive.
 */
export async function runAnalysis(
  settings: AnalysisSettings,
  signal: AbortSignal,
  deps: WatchDeps = {},
): Promise<AnalysisRun> {
  const now = deps.now ?? (() => new Date());
  const wait = deps.sleep ?? sleep;
  const transport = prometheusTransport(settings.prometheus);
  const makeClient =
    deps.client ??
    ((s: AnalysisSettings) => new PrometheusClient(s.prometheus, { signal, fetch: transport }));
  const state: LookState = {};
  const firstEnd = settings.endTime ?? now();
  const start =
    settings.startTime ??
    (settings.mode === 'once' ? new Date(firstEnd.getTime() - settings.durationMs) : firstEnd);
  let looks = 0;
  let queries = 0;
  let retries = 0;
  for (;;) {
    const end = looks === 0 ? firstEnd : now();
    const elapsedMs = end.getTime() - start.getTime();
    const final =
      settings.mode === 'once'
        ? elapsedMs >= settings.durationMs
        : elapsedMs + settings.intervalMs > settings.durationMs;
    // A fresh client per look: a Prometheus that was down may be back.
    const client = makeClient(settings);
    const metrics = await analyzeWindow(client, settings, { start, end }, state);
    queries += client.queries;
    retries += client.retries;
    looks++;
    const decision = decide(metrics, {
      maxFailures: settings.maxFailures,
      onNoData: settings.onNoData,
      elapsedMs,
      minDurationMs: settings.minDurationMs,
      final,
      gate: settings.gate,
    });
    const last: Look = { window: { start, end }, metrics, decision };
    const done =
      settings.mode === 'once' ||
      final ||
      decision.decision === 'rollback' ||
      decision.decision === 'promote';
    if (done || signal.aborted)
      return { looks, last, prometheusQueries: queries, prometheusRetries: retries };
    core.info(`look ${looks}: ${decision.decision} — ${decision.reason}`);
    try {
      await wait(settings.intervalMs, signal);
    } catch {
      // Cancelled between looks: the last look is the answer.
      return { looks, last, prometheusQueries: queries, prometheusRetries: retries };
    }
  }
}
