import { writeFileSync } from 'node:fs';
import { details, StepSummary, table } from '../../shared/summary.js';
import type { MetricResult, TestReport } from './judge.js';
import type { AnalysisSettings } from './settings.js';
import type { AnalysisRun } from './watch.js';

export const REPORT_VERSION = 1;

const ICON: Record<MetricResult['verdict'], string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  insufficient: '⏳ not enough data',
  nodata: '⚠️ no data',
  error: '⚠️ query failed',
};

const DECISION_ICON = { promote: '✅', continue: '⏳', rollback: '⏪', inconclusive: '⚠️' } as const;

export function formatValue(value: number | undefined, unit: MetricResult['unit']): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (unit === 'fraction') return `${Number((value * 100).toPrecision(3))}%`;
  if (unit === 'ms') return `${Number(value.toPrecision(4))} ms`;
  if (unit === 'req/s') return `${Number(value.toPrecision(3))} req/s`;
  return String(Number(value.toPrecision(6)));
}

function formatDelta(metric: MetricResult): string {
  if (metric.delta === undefined) return '—';
  const sign = metric.delta > 0 ? '+' : '';
  const ratio = metric.ratio === undefined ? '' : ` (×${Number(metric.ratio.toPrecision(3))})`;
  return `${sign}${formatValue(metric.delta, metric.unit)}${ratio}`;
}

function formatTests(tests: readonly TestReport[]): string {
  return tests
    .map((t) => {
      const lr = `log LR ${t.logMixture} (fail ≥ ${t.rejectAt}; pass ≤ ${t.acceptAt} at min. effect: ${t.logAtMinimum})`;
      return `${t.name}: ${t.state}, ${lr}, confidence ${Number(((1 - t.alpha) * 100).toPrecision(4))}%`;
    })
    .join('\n');
}

/** The per-metric JSON: every verdict with its figures, without the chart series. */
export function metricsOutput(metrics: readonly MetricResult[]): object[] {
  return metrics.map(({ series: _series, queries: _queries, ...rest }) => rest);
}

export function buildReport(settings: AnalysisSettings, run: AnalysisRun): object {
  const { last } = run;
  return {
    version: REPORT_VERSION,
    decision: last.decision.decision,
    reason: last.decision.reason,
    score: last.decision.score,
    failedMetrics: last.decision.failed,
    inconclusiveMetrics: last.decision.inconclusive,
    window: { start: last.window.start.toISOString(), end: last.window.end.toISOString() },
    looks: run.looks,
    prometheus: {
      url: settings.prometheus.url,
      queries: run.prometheusQueries,
      retries: run.prometheusRetries,
      ...(settings.prometheus.tls
        ? {
            tls: {
              extraCa: settings.prometheus.tls.caSource ?? null,
              clientCertificate: settings.prometheus.tls.certSource ?? null,
              insecureSkipVerify: settings.prometheus.tls.insecureSkipVerify,
            },
          }
        : {}),
    },
    settings: {
      namespace: settings.namespace,
      canary: settings.canary,
      baseline: settings.baseline,
      provider: settings.provider,
      mode: settings.mode,
      gate: settings.gate,
      intervalMs: settings.intervalMs,
      durationMs: settings.durationMs,
      minDurationMs: settings.minDurationMs,
      minRequests: settings.minRequests,
      onNoData: settings.onNoData,
      confidence: settings.confidence,
      maxRatio: settings.maxRatio,
      maxFailures: settings.maxFailures,
      thresholds: settings.thresholds,
      triggers: settings.triggers,
    },
    metrics: last.metrics,
  };
}

export function writeReport(path: string, report: object): void {
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** A Mermaid xychart of canary vs baseline per interval, when there is something to draw. */
export function chart(metric: MetricResult): string | undefined {
  const points = (metric.series ?? []).filter(([, c, b]) => c !== null || b !== null);
  if (points.length < 2) return undefined;
  const scale = metric.unit === 'fraction' ? 100 : 1;
  const unit = metric.unit === 'fraction' ? '%' : metric.unit;
  const start = points[0]![0];
  const labels = points.map(([t]) => `"+${Math.round((t - start) / 60)}m"`);
  const values = (index: 1 | 2) =>
    points.map((p) => {
      const v = p[index];
      return v === null ? 0 : Number((v * scale).toPrecision(4));
    });
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${metric.name}: canary (first line) vs baseline"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "${unit}"`,
    `  line [${values(1).join(', ')}]`,
    `  line [${values(2).join(', ')}]`,
    '```',
  ].join('\n');
}

export function analysisSummary(options: {
  settings: AnalysisSettings;
  run: AnalysisRun;
  reportPath: string;
  configMarkdown: string;
  auditMarkdown: string;
}): StepSummary {
  const { settings, run } = options;
  const { decision, metrics, window } = run.last;
  const summary = new StepSummary();
  summary.heading(`Canary analysis: ${DECISION_ICON[decision.decision]} ${decision.decision}`);
  summary.paragraph(
    `\`${settings.canary}\` vs \`${settings.baseline}\` in \`${settings.namespace}\` (${settings.provider} metrics), ` +
      `${window.start.toISOString()} → ${window.end.toISOString()}, ${run.looks} look(s), score ${decision.score}.`,
  );
  summary.paragraph(`**Why:** ${decision.reason}`);
  summary.add(
    table(
      [
        'Metric',
        'Verdict',
        'Canary',
        'Baseline',
        'Threshold',
        'Delta',
        'Samples (canary / baseline)',
        'Test',
        'Reason',
      ],
      metrics.map((m) => [
        `${m.name}${m.critical ? ' (critical)' : ''}`,
        ICON[m.verdict],
        formatValue(m.canary, m.unit),
        formatValue(m.baseline, m.unit),
        m.threshold === undefined
          ? '—'
          : `${m.unit === 'fraction' || m.unit === 'ms' ? '≤ ' : ''}${formatValue(m.threshold, m.unit)}`,
        formatDelta(m),
        `${m.samples.canary} / ${m.samples.baseline}`,
        formatTests(m.tests) || '—',
        m.reason,
      ]),
    ),
  );
  const charts = metrics
    .flatMap((m) => (m.name === 'error-rate' || m.name === 'latency-p95' ? [chart(m)] : []))
    .filter(Boolean);
  if (charts.length) summary.add(details('Canary vs baseline per interval', charts.join('\n\n')));
  const queries = [...new Set(metrics.flatMap((m) => m.queries))];
  if (queries.length) summary.add(details('PromQL queries', `\`\`\`promql\n${queries.join('\n')}\n\`\`\``));
  summary.paragraph(`Report: \`${options.reportPath}\``);
  summary.add(details('Effective configuration', options.configMarkdown));
  summary.add(options.auditMarkdown);
  return summary;
}
