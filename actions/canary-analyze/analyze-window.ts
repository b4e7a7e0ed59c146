import { collectWorkload, type Window } from './collect.js';
import {
  type JudgeContext,
  judgeErrorRate,
  judgeLatencyP95,
  judgeLatencyP99,
  judgeRequestRate,
  type MetricResult,
} from './judge.js';
import { judgeCustom } from './judge-custom.js';
import type { PrometheusClient } from './prometheus.js';
import type { AnalysisSettings } from './settings.js';

/** What carries over from one look to the next in a watch. */
export interface LookState {
  slowBoundMs?: number;
}

/** Queries Prometheus for the window and judges every metric. */
export async function analyzeWindow(
  client: PrometheusClient,
  settings: AnalysisSettings,
  window: Window,
  state: LookState,
): Promise<MetricResult[]> {
  const canary = await collectWorkload(client, settings, settings.canary, window);
  const baseline = await collectWorkload(client, settings, settings.baseline, window);
  const ctx: JudgeContext = {
    settings,
    canary,
    baseline,
    ...(state.slowBoundMs !== undefined ? { slowBoundMs: state.slowBoundMs } : {}),
  };
  const metrics = [judgeRequestRate(ctx), judgeErrorRate(ctx), judgeLatencyP95(ctx), judgeLatencyP99(ctx)];
  if (ctx.slowBoundMs !== undefined) state.slowBoundMs = ctx.slowBoundMs;
  const canaryRequests = metrics[0]!.samples.canary;
  for (const metric of settings.customMetrics) {
    metrics.push(await judgeCustom(client, settings, metric, window, canaryRequests));
  }
  return metrics;
}
