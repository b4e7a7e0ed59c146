import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { UserError } from '../../shared/errors.js';

/** A custom metric: any PromQL, judged against a limit and, when it selects on `{{target}}`, the baseline. */
export interface CustomMetric {
  name: string;
  query: string;
  threshold?: number;
  direction: 'lower-is-better' | 'higher-is-better';
  maxRatio?: number;
  critical: boolean;
}

const metricSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'expected a lowercase name such as "queue-depth"' }),
  query: z.string().min(1, { error: 'expected a PromQL query' }),
  threshold: z.number({ error: 'expected a number' }).optional(),
  direction: z.enum(['lower-is-better', 'higher-is-better']).default('lower-is-better'),
  maxRatio: z.number({ error: 'expected a number of at least 1' }).min(1).optional(),
  critical: z.boolean().default(false),
});

const BUILTIN_NAMES = new Set(['error-rate', 'latency-p95', 'latency-p99', 'request-rate']);

/** Parses the `metrics` input: a YAML list of custom metrics. */
export function parseCustomMetrics(text: string | undefined, where = 'input "metrics"'): CustomMetric[] {
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new UserError(`${where}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (parsed === null || parsed === undefined) return [];
  const result = z.array(metricSchema).safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new UserError(`${where}${path ? ` at ${path.replace(/^\./, '')}` : ''}: ${issue.message}`);
  }
  return checkMetrics(result.data as CustomMetric[], where);
}

/** Names must be unique and not shadow a builtin; each needs something to judge by. */
export function checkMetrics(metrics: CustomMetric[], where: string): CustomMetric[] {
  const seen = new Set<string>();
  for (const [index, metric] of metrics.entries()) {
    if (BUILTIN_NAMES.has(metric.name) || seen.has(metric.name)) {
      throw new UserError(`${where} at [${index}].name: "${metric.name}" is already a metric name`);
    }
    seen.add(metric.name);
    if (metric.threshold === undefined && metric.maxRatio === undefined) {
      throw new UserError(
        `${where} at [${index}]: metric "${metric.name}" needs a threshold, a maxRatio, or both`,
      );
    }
  }
  return metrics;
}
