import { describe, expect, it } from 'vitest';
import { parseCustomMetrics } from '../../../actions/canary-analyze/custom-metrics.js';
import { histogramQuantile, normalizeHistogram } from '../../../actions/canary-analyze/histogram.js';
import { builtinTemplates, LABEL_SETS } from '../../../actions/canary-analyze/providers.js';
import { renderQuery } from '../../../actions/canary-analyze/template.js';
import { UserError } from '../../../shared/errors.js';

const values = {
  namespace: 'records',
  canary: 'api-canary',
  stable: 'api',
  target: 'api-canary',
  interval: '1m',
};

describe('builtin queries', () => {
  it('select on each provider’s labels', () => {
    const istio = builtinTemplates(LABEL_SETS.istio);
    expect(renderQuery(istio.errors, values, 'q')).toBe(
      'sum(increase(istio_requests_total{destination_workload_namespace="records", destination_workload="api-canary", reporter="destination", response_code=~"5.."}[1m]))',
    );
    const linkerd = builtinTemplates(LABEL_SETS.linkerd);
    expect(renderQuery(linkerd.buckets, values, 'q')).toBe(
      'sum by (le) (increase(response_latency_ms_bucket{namespace="records", deployment="api-canary", direction="inbound"}[1m]))',
    );
    expect(renderQuery(builtinTemplates(LABEL_SETS.nginx).requests, values, 'q')).toContain(
      'nginx_ingress_controller_requests{namespace="records", service="api-canary"}',
    );
  });

  it('escapes names and rejects unknown placeholders', () => {
    expect(renderQuery('x{a="{{target}}"}', { ...values, target: 'a"b' }, 'q')).toBe('x{a="a\\"b"}');
    expect(() => renderQuery('x{a="{{pod}}"}', values, 'metric "m"')).toThrow(
      /metric "m": unknown placeholder \{\{pod\}\}/,
    );
  });
});

describe('histogramQuantile', () => {
  it('interpolates inside the bucket as Prometheus does', () => {
    const h = normalizeHistogram(
      new Map([
        [100, 50],
        [200, 90],
        [Number.POSITIVE_INFINITY, 100],
      ]),
    );
    expect(histogramQuantile(0.5, h)).toBe(100);
    expect(histogramQuantile(0.7, h)).toBe(150);
    expect(histogramQuantile(0.95, h)).toBe(200);
    expect(histogramQuantile(0.5, normalizeHistogram(new Map([[Number.POSITIVE_INFINITY, 0]])))).toBeNaN();
  });
});

describe('custom metrics input', () => {
  it('parses a YAML list with defaults', () => {
    expect(
      parseCustomMetrics('- name: queue-depth\n  query: max(q{app="{{target}}"})\n  maxRatio: 2\n'),
    ).toEqual([
      {
        name: 'queue-depth',
        query: 'max(q{app="{{target}}"})',
        maxRatio: 2,
        direction: 'lower-is-better',
        critical: false,
      },
    ]);
  });

  it('names the bad entry', () => {
    expect(() => parseCustomMetrics('- name: q\n  query: up\n  direction: up\n')).toThrow(UserError);
    expect(() => parseCustomMetrics('- name: q\n  query: up\n')).toThrow(
      /\[0\]: metric "q" needs a threshold, a maxRatio, or both/,
    );
    expect(() => parseCustomMetrics('- name: error-rate\n  query: up\n  threshold: 1\n')).toThrow(
      /already a metric name/,
    );
  });
});
