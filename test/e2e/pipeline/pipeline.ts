import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ActionRun, repoRoot, runAction } from '../../support/harness.js';
import { PAGERDUTY_ROUTING_KEY } from '../../support/notify-receivers.js';
import { APPROVER, type Stack } from './stack.js';

/**
 * Runs `.github/workflows/deploy.yml` locally, job by job, in the order and under the
 * conditions the workflow gives them: migrate → deploy → one analyse job per remaining canary
 * step (canary-analyze, then set-weight) → promote, or rollback when a job failed or was
 * cancelled → notify. Each job starts from a fresh checkout of the service and runs the
 * actions' committed bundles through the runner harness; the audit log is handed from job to
 * job as the workflow hands its `deploy-audit` artifact, so one hash chain spans the run.
 */

export const SERVICE_FIXTURE = join(repoRoot, 'test/fixtures/sample-service');
export const IMAGE_NAME = 'registry.example/caresync/patient-api';
export const AUDIT_HMAC_KEY = 'demo-audit-hmac-key-4f1d9c2e';
/** The workflow's `analysis-duration` for these runs: short looks, so a run takes minutes. */
export const ANALYSIS_DURATION = '40s';
/** Who started the deployment workflow. */
export const RELEASER = 'jchen-release';

/** The jobs of deploy.yml, in its order; a test holds the workflow to this list. */
export const WORKFLOW_JOBS = ['migrate', 'deploy', 'analyse', 'promote', 'rollback', 'notify'] as const;
export type WorkflowJob = (typeof WORKFLOW_JOBS)[number];
export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface Release {
  version: string;
  /** Immutable reference `name@sha256:…`, as build-and-sbom outputs it. */
  image: string;
  /** Also apply the migration that fails at run time. */
  brokenMigration?: boolean;
}

export interface StepRecord {
  action: string;
  label: string;
  run: ActionRun;
}

export interface JobRecord {
  job: WorkflowJob;
  /** The job's display name, e.g. `Canary step 2`. */
  name: string;
  result: JobResult;
  /** Why a job was skipped, or what failed it. */
  note?: string;
  steps: StepRecord[];
  startedAt: Date;
  durationMs: number;
}

export interface PipelineOptions {
  stack: Stack;
  namespace: string;
  database: string;
  release: Release;
  /** Watch length of one canary analysis (the workflow's `analysis-duration`). */
  analysisDuration?: string;
  /** Cancel the run while canary-analyze watches this step, after `afterMs`. */
  cancel?: { step: number; afterMs: number };
  /** Called as each job finishes, for a live timeline. */
  onJob?: (job: JobRecord) => void;
}

export interface PipelineResult {
  jobs: JobRecord[];
  /** The workflow's `outcome` output: deployed, rolled-back or failed. */
  outcome: 'deployed' | 'rolled-back' | 'failed';
  /** The audit log artifact after the last job. */
  auditLog: string;
  job(name: WorkflowJob): JobRecord[];
}

let runCounter = 0;

export function imageFor(version: string, digestSeed: string): string {
  const hex = Buffer.from(`${version}:${digestSeed}`).toString('hex').padEnd(64, '0').slice(0, 64);
  return `${IMAGE_NAME}@sha256:${hex}`;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { stack, release } = options;
  const root = mkdtempSync(join(tmpdir(), `pipeline-${release.version}-`));
  const artifact = join(root, 'artifacts/deploy-audit/deploy-audit.jsonl');
  const jobs: JobRecord[] = [];
  runCounter += 1;
  const runId = String(8100 + runCounter);
  // The run's production jobs waited for the environment's required reviewer, who approved them.
  stack.github.approvals.set(runId, [
    {
      state: 'approved',
      comment: `Release board: ${release.version} approved for production`,
      user: { login: APPROVER },
      environments: [{ name: 'production' }],
    },
  ]);
  const runEnv = {
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_NUMBER: String(runCounter),
    GITHUB_SHA: createHash('sha1').update(release.version).digest('hex'),
    GITHUB_ACTOR: RELEASER,
    GITHUB_TRIGGERING_ACTOR: RELEASER,
    GITHUB_WORKFLOW: 'deploy',
  };
  const secrets = {
    KUBECONFIG: readFileSync(stack.sim.kubeconfigPath, 'utf8'),
    DATABASE_URL: stack.postgres.url(options.database),
  };
  // The job environment: secrets the config interpolates, as a caller's `env:` would give them.
  const env: Record<string, string> = {
    PROMETHEUS_URL: stack.prometheus.url,
    K8S_NAMESPACE: options.namespace,
    HEALTH_BASE_URL: `${stack.sim.appUrl}/services/${options.namespace}/patient-api`,
    SLACK_WEBHOOK_URL: stack.slack.webhookUrl,
    PAGERDUTY_ROUTING_KEY,
    PAGERDUTY_API_URL: stack.pagerduty.url,
    AUDIT_HMAC_KEY,
  };

  let jobCounter = 0;
  const runJob = async (
    job: WorkflowJob,
    name: string,
    body: (ctx: JobContext) => Promise<JobResult | undefined>,
  ): Promise<JobRecord> => {
    jobCounter += 1;
    const dir = join(root, `${String(jobCounter).padStart(2, '0')}-${job}`);
    const workspace = join(dir, 'workspace');
    // actions/checkout of the release's commit.
    cpSync(SERVICE_FIXTURE, workspace, {
      recursive: true,
      filter: (src) => !src.endsWith('migrations-broken'),
    });
    if (release.brokenMigration) {
      for (const file of ['V4__seed_clinics.sql'])
        copyFileSync(join(SERVICE_FIXTURE, 'migrations-broken', file), join(workspace, 'migrations', file));
    }
    // actions/download-artifact of the previous job's audit log (none before the first job).
    const auditLog = join(dir, 'audit/deploy-audit.jsonl');
    mkdirSync(join(dir, 'audit'), { recursive: true });
    if (existsSync(artifact)) copyFileSync(artifact, auditLog);
    const record: JobRecord = {
      job,
      name,
      result: 'success',
      steps: [],
      startedAt: new Date(),
      durationMs: 0,
    };
    const started = performance.now();
    const ctx: JobContext = {
      step: async (action, label, inputs, extra = {}) => {
        const run = await runAction({
          action,
          workspace,
          inputs: { environment: 'production', 'audit-log': auditLog, ...inputs },
          env: { ...env, ...runEnv, GITHUB_JOB: job },
          githubApiUrl: stack.github.url,
          githubToken: stack.github.token,
          timeoutMs: 180_000,
          ...extra,
        });
        record.steps.push({ action, label, run });
        return run;
      },
    };
    try {
      record.result = (await body(ctx)) ?? 'success';
    } finally {
      record.durationMs = performance.now() - started;
      // actions/upload-artifact with overwrite: the next job continues this chain.
      if (existsSync(auditLog)) {
        mkdirSync(join(root, 'artifacts/deploy-audit'), { recursive: true });
        copyFileSync(auditLog, artifact);
      }
    }
    jobs.push(record);
    options.onJob?.(record);
    return record;
  };
  const skip = (job: WorkflowJob, name: string, note: string): JobRecord => {
    const record: JobRecord = {
      job,
      name,
      result: 'skipped',
      note,
      steps: [],
      startedAt: new Date(),
      durationMs: 0,
    };
    jobs.push(record);
    options.onJob?.(record);
    return record;
  };
  // Once the runner cancels a job, the job is cancelled whatever the step's exit status.
  const outcomeOf = (run: ActionRun): JobResult =>
    run.cancelled || run.signal || run.exitCode === null
      ? 'cancelled'
      : run.exitCode === 0
        ? 'success'
        : 'failure';
  let cancelled = false;

  // migrate: always, since the caller gives a migrations directory.
  const migrate = await runJob('migrate', 'Migrate database', async ({ step }) => {
    const run = await step('migrate-db', 'migrate-db', {
      'migrations-dir': 'migrations',
      'database-url': secrets.DATABASE_URL,
    });
    return outcomeOf(run);
  });

  // deploy: if: always() && (needs.migrate.result == 'success' || needs.migrate.result == 'skipped')
  let deployOutputs: Record<string, string> = {};
  const deploy =
    migrate.result === 'success'
      ? await runJob('deploy', 'Deploy', async ({ step }) => {
          const run = await step('deploy-strategy', 'deploy-strategy deploy', {
            strategy: '',
            action: 'deploy',
            image: release.image,
            manifests: 'deploy/k8s',
            kubeconfig: secrets.KUBECONFIG,
          });
          deployOutputs = run.outputs;
          return outcomeOf(run);
        })
      : skip('deploy', 'Deploy', `migrate ${migrate.result}`);

  // analyse: a sequential matrix (max-parallel 1, fail-fast) over the remaining canary steps.
  let analyse: JobResult = 'skipped';
  const remaining: number[] =
    deploy.result === 'success' && deployOutputs.phase === 'canary'
      ? (JSON.parse(deployOutputs['remaining-steps'] || '[]') as number[])
      : [];
  if (remaining.length === 0) {
    skip(
      'analyse',
      'Canary analysis',
      deploy.result === 'success' ? 'no canary steps left' : `deploy ${deploy.result}`,
    );
  } else {
    analyse = 'success';
    for (const next of remaining) {
      if (analyse !== 'success') {
        skip('analyse', `Canary step ${next}`, `fail-fast after a ${analyse} step`);
        continue;
      }
      const record = await runJob('analyse', `Canary step ${next}`, async ({ step }) => {
        const cancelAfterMs = options.cancel?.step === next ? options.cancel.afterMs : undefined;
        // The last weight before full traffic needs full evidence; earlier ones only no regression.
        const gate = next === remaining.at(-1) ? 'promote' : 'next-step';
        const analysis = await step(
          'canary-analyze',
          `canary-analyze before step ${next}`,
          { mode: 'watch', duration: options.analysisDuration ?? ANALYSIS_DURATION, gate },
          cancelAfterMs === undefined ? {} : { cancelAfterMs },
        );
        const result = outcomeOf(analysis);
        if (result !== 'success') return result;
        const decision = analysis.outputs.decision;
        // The workflow's `run:` step: anything but promote/continue stops the rollout.
        if (decision !== 'promote' && decision !== 'continue') return 'failure';
        const moved = await step('deploy-strategy', `deploy-strategy set-weight step ${next}`, {
          action: 'set-weight',
          step: next,
          kubeconfig: secrets.KUBECONFIG,
        });
        return outcomeOf(moved);
      });
      analyse = record.result;
      if (record.result === 'cancelled') cancelled = true;
    }
  }

  // promote: if: strategy == 'canary' && needs.analyse.result == 'success'
  let promote: JobResult = 'skipped';
  if (!cancelled && deployOutputs.strategy === 'canary' && analyse === 'success' && remaining.length > 0) {
    promote = (
      await runJob('promote', 'Promote', async ({ step }) =>
        outcomeOf(
          await step('deploy-strategy', 'deploy-strategy promote', {
            action: 'promote',
            kubeconfig: secrets.KUBECONFIG,
          }),
        ),
      )
    ).result;
  } else {
    skip('promote', 'Promote', cancelled ? 'run cancelled' : `analyse ${analyse}`);
  }

  // rollback: if: always() && needs.deploy.result != 'skipped' && (failure or cancelled in needs)
  const upstream = [deploy.result, analyse, promote];
  let rollback: JobResult = 'skipped';
  if (deploy.result !== 'skipped' && upstream.some((r) => r === 'failure' || r === 'cancelled')) {
    rollback = (
      await runJob('rollback', 'Roll back', async ({ step }) =>
        outcomeOf(
          await step('rollback', 'rollback', {
            when: 'always',
            reason: 'deployment workflow failed or was cancelled',
            kubeconfig: secrets.KUBECONFIG,
          }),
        ),
      )
    ).result;
  } else {
    skip('rollback', 'Roll back', deploy.result === 'skipped' ? 'deploy skipped' : 'nothing failed');
  }

  // notify: if: always(); the outcome step's shell logic, then the notify action.
  const results = [migrate.result, deploy.result, analyse, promote, rollback];
  const outcome: PipelineResult['outcome'] =
    rollback === 'success'
      ? 'rolled-back'
      : results.some((r) => r === 'failure' || r === 'cancelled')
        ? 'failed'
        : 'deployed';
  const status = outcome === 'rolled-back' ? 'rolled-back' : outcome === 'failed' ? 'failure' : 'success';
  await runJob('notify', 'Notify', async ({ step }) =>
    outcomeOf(
      await step('notify', `notify ${status}`, {
        status,
        version: release.version,
        image: release.image,
        'pagerduty-routing-key': PAGERDUTY_ROUTING_KEY,
      }),
    ),
  );

  return {
    jobs,
    outcome,
    auditLog: artifact,
    job: (name) => jobs.filter((j) => j.job === name),
  };
}

interface JobContext {
  step(
    action: string,
    label: string,
    inputs: Record<string, string | number | boolean | undefined>,
    extra?: { cancelAfterMs?: number },
  ): Promise<ActionRun>;
}
