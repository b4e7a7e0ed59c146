import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeSteps, narrateJob } from '../test/e2e/pipeline/narrate.js';
import { AUDIT_HMAC_KEY, type JobRecord, type PipelineResult } from '../test/e2e/pipeline/pipeline.js';
import { release, startService } from '../test/e2e/pipeline/scenario.js';
import { type Stack, startStack } from '../test/e2e/pipeline/stack.js';
import { repoRoot } from '../test/support/harness.js';

/**
 * The example pipeline end to end: the service's first release, a good release taken through
 * the canary schedule and promoted, then a bad release rolled back in its first step with
 * on-call paged. Every action runs from its committed bundle, exactly as deploy.yml orders
 * the jobs; the audit log of each run is verified with the shipped verifier and written out
 * with a Markdown report. Exits 0 when everything behaved as designed.
 */

interface Expectation {
  what: string;
  ok: boolean;
}

interface RunReport {
  title: string;
  result: PipelineResult;
  auditFile: string;
  verification: string;
  timelineMarkdown: string;
}

const USAGE = `Usage: npm run demo [-- --out DIR]
  --out DIR   where the audit logs and report.md go (default: demo-output)`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const out = resolve(values.out ?? join(repoRoot, 'demo-output'));
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  const say = (line = '') => console.log(line);

  say('deploy-actions demo: the deploy workflow for patient-api, job by job, on this machine.');
  say('Starting what the pipeline talks to …');
  let stack: Stack | undefined;
  try {
    stack = await startStack();
    for (const line of stack.describe()) say(`  uses ${line}`);
    say('  runs the committed action bundles under dist/ the way the GitHub runner does');
    say();

    const reports: RunReport[] = [];
    const expectations: Expectation[] = [];
    const onJob = (job: JobRecord) => {
      for (const line of narrateJob(job)) say(`  ${line}`);
    };
    const finish = (title: string, result: PipelineResult) => {
      const report = verifyAndKeep(out, reports.length + 1, title, result);
      reports.push(report);
      say(`  → outcome ${result.outcome}; ${report.verification}`);
      say();
      return report;
    };

    say('Release 1.0.0 — first deployment (nothing to compare a canary with, so it goes out whole)');
    const service = await startService(stack, 'demo', onJob);
    finish('Release 1.0.0: first deployment', service.baseline);
    expectations.push({ what: 'release 1.0.0 deployed', ok: service.baseline.outcome === 'deployed' });

    say('Users now send requests through the ingress; Prometheus scrapes the pods every second.');
    say('Release 1.1.0 — a good release through the canary schedule 5 → 25 → 50 → 75 → 100 %');
    const good = await service.release(release('1.1.0'));
    finish('Release 1.1.0: good canary, promoted', good);
    expectations.push({ what: 'release 1.1.0 promoted', ok: good.outcome === 'deployed' });

    say('Release 1.2.0 — a bad release: 30 % of its requests fail');
    const badRelease = release('1.2.0');
    stack.sim.setImageBehaviour(badRelease.image, { errorRate: 0.3 });
    const pagesBefore = pages(stack);
    const bad = await service.release(badRelease);
    finish('Release 1.2.0: bad canary, rolled back', bad);
    const share = service.trafficShare();
    service.stop();
    expectations.push(
      { what: 'release 1.2.0 rolled back', ok: bad.outcome === 'rolled-back' },
      {
        what: 'rolled back in the first canary step',
        ok: bad.jobs.filter((j) => j.job === 'analyse' && j.result !== 'skipped').length === 1,
      },
      {
        what: 'no traffic shifted beyond 5 %',
        ok: !bad.jobs.some((j) => j.steps.some((s) => s.label.includes('set-weight'))),
      },
      { what: 'on-call paged once', ok: pages(stack) - pagesBefore === 1 },
      {
        what: 'stable serves every request afterwards, without errors',
        ok: share.stable === 1 && share.errors === 0,
      },
      {
        what: 'every audit log verifies (hash chain and HMAC)',
        ok: reports.every((r) => r.verification.startsWith('OK')),
      },
    );

    const seconds = (performance.now() - started) / 1000;
    const reportFile = join(out, 'report.md');
    writeFileSync(reportFile, markdownReport(reports, expectations, stack.describe(), seconds));
    say('What was expected:');
    for (const e of expectations) say(`  ${e.ok ? '✓' : '✗'} ${e.what}`);
    say();
    say(
      `Report: ${relative(process.cwd(), reportFile)}; audit logs: ${reports.map((r) => relative(process.cwd(), r.auditFile)).join(', ')}`,
    );
    say(`Demo finished in ${seconds.toFixed(1)} s.`);
    return expectations.every((e) => e.ok) ? 0 : 1;
  } catch (error) {
    console.error(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await stack?.stop();
  }
}

function pages(stack: Stack): number {
  return stack.pagerduty.requests.filter(
    (r) => (r.json as { event_action?: string }).event_action === 'trigger',
  ).length;
}

/** Verifies a run's audit log with the shipped verifier and keeps a copy. */
function verifyAndKeep(out: string, index: number, title: string, result: PipelineResult): RunReport {
  const auditFile = join(out, `audit-run-${index}.jsonl`);
  copyFileSync(result.auditLog, auditFile);
  const verifier = join(repoRoot, 'dist/audit-verify/index.js');
  const env = { ...process.env, AUDIT_HMAC_KEY };
  const run = (extra: string[]) => {
    try {
      return execFileSync(
        process.execPath,
        [verifier, auditFile, '--hmac-key-env', 'AUDIT_HMAC_KEY', ...extra],
        {
          env,
          encoding: 'utf8',
        },
      );
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  };
  const markdown = run(['--markdown']);
  const [verification = '', ...table] = markdown.split('\n');
  return {
    title,
    result,
    auditFile,
    verification: verification.replace(`${auditFile}: `, ''),
    timelineMarkdown: table.join('\n'),
  };
}

function markdownReport(
  reports: RunReport[],
  expectations: Expectation[],
  used: string[],
  seconds: number,
): string {
  const lines = [
    '# deploy-actions demo report',
    '',
    `Generated ${new Date().toISOString()} in ${seconds.toFixed(1)} s.`,
    '',
    '## What was expected',
    '',
    ...expectations.map((e) => `- ${e.ok ? '✅' : '❌'} ${e.what}`),
    '',
    '## What the run used',
    '',
    ...used.map((u) => `- ${u}`),
    '',
  ];
  for (const report of reports) {
    lines.push(
      `## ${report.title}`,
      '',
      `Outcome: **${report.result.outcome}**. Audit log \`${report.auditFile}\`: ${report.verification}`,
      '',
    );
    lines.push('| job | result | seconds | what happened |', '|---|---|---|---|');
    for (const job of report.result.jobs) {
      const what = describeSteps(job).join('<br>').replace(/\|/g, '\\|');
      lines.push(`| ${job.name} | ${job.result} | ${(job.durationMs / 1000).toFixed(1)} | ${what} |`);
    }
    lines.push(
      '',
      '<details><summary>Audit trail</summary>',
      '',
      report.timelineMarkdown.trim(),
      '',
      '</details>',
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
