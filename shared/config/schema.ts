import * as z from 'zod';
import {
  coveragePercent,
  duration,
  httpUrl,
  kubernetesName,
  numberBetween,
  percent,
  text,
  urlPath,
  wholeNumberFrom,
} from './schema-fields.js';

/**
 * The per-environment config file. The first eight sections are the seed's environment matrix,
 * spelled as the seed spells them; the rest is what the actions need. Every map is strict, so a
 * misspelt key is an error rather than a silently ignored setting. Defaults follow the seeds.
 */

/** Canary traffic steps in percent (seed: 5 → 25 → 50 → 75 → 100). */
export const DEFAULT_CANARY_STEPS = [5, 25, 50, 75, 100];
/** Time held at each step before the next (seed schedule: T+0, 30m, 1h, 2h, 3h). */
export const DEFAULT_CANARY_PAUSES = ['30m', '30m', '1h', '1h'];
/** Pause used between steps when the steps differ from the seed's five. */
export const DEFAULT_CANARY_PAUSE = '30m';

const environment = z.strictObject({
  name: text(),
  description: z.string().optional(),
});

const security = z.strictObject({
  encryption: text().optional(),
  authentication: text().optional(),
  httpsRequired: z.boolean().default(true),
  // YAML reads an unquoted 1.3 as a number; both spellings mean the same version.
  tlsVersion: z
    .union([z.enum(['1.2', '1.3']), z.literal(1.2), z.literal(1.3)], { error: 'expected "1.2" or "1.3"' })
    .transform((v) => String(v) as '1.2' | '1.3')
    .optional(),
});

const migrations = z.strictObject({
  directory: text().default('migrations'),
  historyTable: text().default('deploy_schema_history'),
  lockTimeout: duration().prefault('5s'),
  statementTimeout: duration().optional(),
  // How long a run waits for another run's migration lock before giving up.
  lockWait: duration().prefault('5m'),
  // Lint findings block (error) or only report (warn). Unset: error in an environment named
  // production/prod, warn elsewhere.
  lint: z.enum(['error', 'warn', 'off']).optional(),
  outOfOrder: z.boolean().default(false),
  // pg_dump before applying (deployment.backupBeforeDeploy turns it on): schema only by default,
  // since a data dump carries PHI; where the dump goes when the input gives no path.
  backup: z
    .strictObject({
      mode: z.enum(['schema', 'data']).default('schema'),
      path: text().optional(),
    })
    .prefault({}),
});

const database = z.strictObject({
  ssl: z.boolean().default(true),
  sslMode: z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
  connectionPool: numberBetween(1, 1000, { int: true }).optional(),
  backupEnabled: z.boolean().optional(),
  replicationEnabled: z.boolean().optional(),
  url: text().optional(),
  host: text().optional(),
  port: numberBetween(1, 65535, { int: true }).optional(),
  name: text().optional(),
  user: text().optional(),
  password: text().optional(),
  migrations: migrations.prefault({}),
});

const prometheus = z.strictObject({
  url: httpUrl(),
  bearerToken: text().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  basicAuth: z.strictObject({ username: text(), password: text() }).optional(),
  // Per query, retries included: a Prometheus that does not answer makes the analysis inconclusive.
  timeout: duration({ min: 1 }).optional(),
  // For an https URL: extra CA bundle and client certificate (paths or PEM; the key may be an
  // aws-sm:// reference), or no verification at all (logged as a warning).
  tls: z
    .strictObject({
      caFile: text().optional(),
      clientCert: text().optional(),
      clientKey: text().optional(),
      insecureSkipVerify: z.boolean().optional(),
    })
    .optional(),
});

const monitoring = z.strictObject({
  metricsEnabled: z.boolean().optional(),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  alertingEnabled: z.boolean().optional(),
  prometheus: prometheus.optional(),
});

const compliance = z.strictObject({
  hipaaMode: z.boolean().default(true),
  gdprMode: z.boolean().optional(),
  auditLevel: z.enum(['minimal', 'basic', 'standard', 'full', 'comprehensive']).optional(),
  dataResidency: text().optional(),
});

const deployment = z.strictObject({
  strategy: z.enum(['blue-green', 'rolling-update', 'rolling', 'canary', 'recreate']).default('rolling'),
  healthChecks: z.enum(['mandatory', 'enabled', 'disabled']).default('enabled'),
  backupBeforeDeploy: z.boolean().default(true),
  rollbackOnFailure: z.boolean().default(true),
  // Blue-green keeps the previous colour running this long so a rollback is one Service patch.
  scaleDownDelay: duration().optional(),
  // Refuse to deploy unless the job's GitHub environment has required reviewers.
  requireApproval: z.boolean().optional(),
  // How long one run may hold a workload before another run may take it over.
  leaseDuration: duration({ min: 1 }).optional(),
  // Upper bound on one rollout (watching the Deployment until it completes).
  timeout: duration({ min: 1 }).optional(),
});

const scaling = z
  .strictObject({
    minReplicas: wholeNumberFrom(0).optional(),
    maxReplicas: wholeNumberFrom(1).optional(),
    autoScaling: z.enum(['enabled', 'disabled']).optional(),
  })
  .superRefine((value, ctx) => {
    if (
      value.minReplicas !== undefined &&
      value.maxReplicas !== undefined &&
      value.minReplicas > value.maxReplicas
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['minReplicas'],
        message: 'expected a number no greater than scaling.maxReplicas',
      });
    }
  });

const disasterRecovery = z.strictObject({
  backupFrequency: text().optional(),
  rpo: text().optional(),
  rto: text().optional(),
});

const kubernetes = z.strictObject({
  context: text().optional(),
  namespace: kubernetesName({ label: true }),
  deployment: kubernetesName(),
  container: kubernetesName().optional(),
  service: kubernetesName().optional(),
  previewService: kubernetesName().optional(),
  ingress: kubernetesName().optional(),
  httpRoute: kubernetesName().optional(),
});

const health = z.strictObject({
  baseUrl: httpUrl().optional(),
  paths: z
    .strictObject({
      health: urlPath().default('/health'),
      ready: urlPath().default('/ready'),
      live: urlPath().default('/live'),
    })
    .prefault({}),
  timeout: duration({ min: 1 }).prefault('10s'),
  retries: numberBetween(0, 100, { int: true }).default(3),
  interval: duration({ min: 1 }).prefault('10s'),
});

const canaryThresholds = z.strictObject({
  errorRate: percent().prefault('0.1%'),
  p95: duration({ min: 1 }).prefault('500ms'),
  p99: duration({ min: 1 }).prefault('2s'),
});

/** Metric and label names the builtin canary queries select on, overriding the provider's. */
const canaryLabels = z.strictObject({
  requestsMetric: text().optional(),
  latencyMetric: text().optional(),
  latencyUnit: z.enum(['s', 'ms']).optional(),
  namespaceLabel: text().optional(),
  workloadLabel: text().optional(),
  errorSelector: text().optional(),
  extraSelector: z.string().optional(),
});

/** A custom canary metric: any PromQL with a limit and the direction that is bad. */
const canaryMetric = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'expected a lowercase name such as "queue-depth"' }),
  query: text(),
  threshold: z.number({ error: 'expected a number' }).optional(),
  direction: z.enum(['lower-is-better', 'higher-is-better']).default('lower-is-better'),
  maxRatio: z.number({ error: 'expected a number of at least 1' }).min(1).optional(),
  critical: z.boolean().default(false),
});

const canary = z
  .strictObject({
    steps: z
      .array(numberBetween(0, 100))
      .min(1, { error: 'expected at least one step' })
      .default(DEFAULT_CANARY_STEPS),
    pauses: z.array(duration()).optional(),
    analysis: z
      .strictObject({
        interval: duration({ min: 1 }).prefault('1m'),
        minSamples: wholeNumberFrom(1).default(100),
        thresholds: canaryThresholds.prefault({}),
        // Optional, so their defaults live with the analysis that uses them.
        provider: z.enum(['app', 'nginx', 'istio', 'linkerd']).optional(),
        labels: canaryLabels.optional(),
        confidence: percent().optional(),
        maxRatio: z.number({ error: 'expected a number of at least 1' }).min(1).optional(),
        onNoData: z.enum(['inconclusive', 'fail']).optional(),
        maxFailures: wholeNumberFrom(1).optional(),
        minDuration: duration().optional(),
        metrics: z.array(canaryMetric).optional(),
      })
      .prefault({}),
  })
  .superRefine((value, ctx) => {
    const { steps, pauses } = value;
    for (let i = 1; i < steps.length; i++) {
      if ((steps[i] as number) <= (steps[i - 1] as number)) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i],
          message: 'expected a step above the one before it',
        });
      }
    }
    if (steps.at(-1) !== 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps', steps.length - 1],
        message: 'expected the last step to be 100 (full rollout)',
      });
    }
    if (pauses && pauses.length !== steps.length - 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['pauses'],
        message: `expected ${steps.length - 1} durations, one for each step before the last`,
      });
    }
  })
  .transform(({ steps, pauses, analysis }) => ({
    steps,
    pauses: pauses ?? defaultPauses(steps.length),
    analysis,
  }));

function defaultPauses(stepCount: number): number[] {
  const written =
    stepCount === DEFAULT_CANARY_STEPS.length
      ? DEFAULT_CANARY_PAUSES
      : Array.from({ length: Math.max(0, stepCount - 1) }, () => DEFAULT_CANARY_PAUSE);
  return written.map((pause) => duration().parse(pause));
}

const rollback = z.strictObject({
  automatic: z.boolean().default(true),
  triggers: z
    .strictObject({
      healthCheckFailureRate: percent().prefault('10%'),
      errorRate: percent().prefault('1%'),
      p95: duration({ min: 1 }).prefault('2s'),
      // The health-check failure rate is judged over this many probes of /health.
      healthSamples: numberBetween(1, 1000, { int: true }).optional(),
      sampleInterval: duration().optional(),
    })
    .prefault({}),
  // PromQL for the error-rate and P95 triggers; {{namespace}} and {{deployment}} are filled in.
  // Defaults live with the rollback action (DEFAULT_QUERIES) so files that say nothing parse unchanged.
  queries: z.strictObject({ errorRate: text().optional(), p95: text().optional() }).optional(),
});

/** A calendar date written YYYY-MM-DD (YAML may hand it over as a Date); kept as that text. */
const calendarDate = () =>
  z.unknown().transform((value, ctx) => {
    const text =
      value instanceof Date && !Number.isNaN(value.getTime())
        ? value.toISOString().slice(0, 10)
        : typeof value === 'string'
          ? value.trim()
          : '';
    const parsed = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : undefined;
    if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== text) {
      ctx.addIssue({ code: 'custom', message: 'expected a date written YYYY-MM-DD, such as "2026-06-30"' });
      return z.NEVER;
    }
    return text;
  });

/** An accepted advisory: it must say why and until when, so an exception cannot outlive its reason. */
const allowedAdvisory = z.strictObject({
  id: text(),
  reason: text(),
  expires: calendarDate(),
});

const quality = z.strictObject({
  // Accepted advisories (GHSA, CVE or npm advisory ids); an expired entry no longer applies.
  // Optional rather than defaulted: quality-gate applies the defaults (none, error, no policy, off).
  allowAdvisories: z.array(allowedAdvisory).optional(),
  // SARIF results without a security-severity fail the gate at or above this level.
  failOnLevel: z.enum(['error', 'warning', 'note', 'none']).optional(),
  // SPDX licence ids (or expressions' ids) from an SBOM; `allow`, when set, is exhaustive.
  licenses: z
    .strictObject({
      deny: z.array(text()).default([]),
      allow: z.array(text()).optional(),
    })
    .optional(),
  // Judge coverage on the files changed against the base ref only (a new-code gate).
  changedFilesOnly: z.boolean().optional(),
  coverage: z
    .strictObject({
      lines: coveragePercent().prefault(70),
      branches: coveragePercent().optional(),
      functions: coveragePercent().optional(),
      statements: coveragePercent().optional(),
    })
    .prefault({}),
  failOnSeverity: z.enum(['critical', 'high', 'medium', 'low']).default('high'),
  maxLintErrors: wholeNumberFrom(0).default(0),
  maxLintWarnings: wholeNumberFrom(0).optional(),
  maxSecrets: wholeNumberFrom(0).default(0),
  maxTestFailures: wholeNumberFrom(0).default(0),
});

const headers = z.record(z.string(), z.string());

const notifications = z.strictObject({
  slack: z
    .strictObject({
      webhookUrl: httpUrl().optional(),
      token: text().optional(),
      channel: text().optional(),
    })
    .superRefine((value, ctx) => {
      if (!value.webhookUrl && !(value.token && value.channel)) {
        ctx.addIssue({ code: 'custom', message: 'expected webhookUrl, or token and channel' });
      }
    })
    .optional(),
  teams: z.strictObject({ webhookUrl: httpUrl() }).optional(),
  pagerduty: z
    .strictObject({
      routingKey: text(),
      // Unset: critical for a production failure, error otherwise.
      severity: z.enum(['critical', 'error', 'warning', 'info']).optional(),
      // Events API base; the EU service is https://events.eu.pagerduty.com.
      apiUrl: httpUrl().default('https://events.pagerduty.com'),
    })
    .optional(),
  webhooks: z
    .array(
      z.strictObject({
        name: text().optional(),
        url: httpUrl(),
        secret: text().optional(),
        headers: headers.optional(),
      }),
    )
    .optional(),
});

const audit = z.strictObject({
  file: text().optional(),
  http: z
    .strictObject({
      url: httpUrl(),
      secret: text().optional(),
      required: z.boolean().default(false),
    })
    .optional(),
  hmacKey: text().optional(),
  retentionYears: numberBetween(1, 100, { int: true }).default(7),
});

export const environmentConfigSchema = z.strictObject({
  environment,
  security: security.prefault({}),
  database: database.prefault({}),
  monitoring: monitoring.prefault({}),
  compliance: compliance.prefault({}),
  deployment: deployment.prefault({}),
  scaling: scaling.optional(),
  'disaster-recovery': disasterRecovery.optional(),
  kubernetes: kubernetes.optional(),
  health: health.prefault({}),
  canary: canary.prefault({}),
  rollback: rollback.prefault({}),
  quality: quality.prefault({}),
  notifications: notifications.prefault({}),
  audit: audit.prefault({}),
});

/** A validated environment config: rates as fractions, durations in milliseconds. */
export type EnvironmentConfig = z.output<typeof environmentConfigSchema>;
