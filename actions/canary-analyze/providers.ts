/**
 * Metric and label names of the builtin queries for each traffic source. NGINX ingress and
 * the meshes measure at the proxy, so they see requests that never reach a healthy pod; plain
 * app metrics come from the service's own instrumentation.
 */

export const PROVIDERS = ['app', 'nginx', 'istio', 'linkerd'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface LabelSet {
  /** Counter of requests. */
  requestsMetric: string;
  /** Histogram of request durations, the `_bucket` series. */
  latencyMetric: string;
  /** Unit of the histogram's `le` bounds. */
  latencyUnit: 's' | 'ms';
  namespaceLabel: string;
  /** Label whose value names the canary or the stable workload. */
  workloadLabel: string;
  /** Matcher that selects failed requests, e.g. `status=~"5.."`. */
  errorSelector: string;
  /** Matchers added to every builtin selector, e.g. `reporter="destination"`. */
  extraSelector: string;
}

export const LABEL_SETS: Record<Provider, LabelSet> = {
  app: {
    requestsMetric: 'http_requests_total',
    latencyMetric: 'http_request_duration_seconds_bucket',
    latencyUnit: 's',
    namespaceLabel: 'namespace',
    workloadLabel: 'app',
    errorSelector: 'status=~"5.."',
    extraSelector: '',
  },
  nginx: {
    requestsMetric: 'nginx_ingress_controller_requests',
    latencyMetric: 'nginx_ingress_controller_request_duration_seconds_bucket',
    latencyUnit: 's',
    namespaceLabel: 'namespace',
    workloadLabel: 'service',
    errorSelector: 'status=~"5.."',
    extraSelector: '',
  },
  istio: {
    requestsMetric: 'istio_requests_total',
    latencyMetric: 'istio_request_duration_milliseconds_bucket',
    latencyUnit: 'ms',
    namespaceLabel: 'destination_workload_namespace',
    workloadLabel: 'destination_workload',
    errorSelector: 'response_code=~"5.."',
    extraSelector: 'reporter="destination"',
  },
  linkerd: {
    requestsMetric: 'response_total',
    latencyMetric: 'response_latency_ms_bucket',
    latencyUnit: 'ms',
    namespaceLabel: 'namespace',
    workloadLabel: 'deployment',
    errorSelector: 'classification="failure"',
    extraSelector: 'direction="inbound"',
  },
};

/** The builtin queries as templates: one value per `{{interval}}` step for the workload `{{target}}`. */
export function builtinTemplates(labels: LabelSet): { requests: string; errors: string; buckets: string } {
  const extra = labels.extraSelector ? `, ${labels.extraSelector}` : '';
  const selector = `${labels.namespaceLabel}="{{namespace}}", ${labels.workloadLabel}="{{target}}"${extra}`;
  return {
    requests: `sum(increase(${labels.requestsMetric}{${selector}}[{{interval}}]))`,
    errors: `sum(increase(${labels.requestsMetric}{${selector}, ${labels.errorSelector}}[{{interval}}]))`,
    buckets: `sum by (le) (increase(${labels.latencyMetric}{${selector}}[{{interval}}]))`,
  };
}
