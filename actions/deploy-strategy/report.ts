import * as core from '@actions/core';
import { details, StepSummary, table } from '../../shared/summary.js';
import type { CanaryTraffic, DeployResult, FaultCounters } from './context.js';
import type { DeployInputs } from './inputs.js';

export function writeOutputs(result: DeployResult, strategy: string): void {
  core.setOutput('strategy', strategy);
  core.setOutput('phase', result.phase);
  core.setOutput('revision', result.revision ?? '');
  core.setOutput('previous-revision', result.previousRevision ?? '');
  core.setOutput('previous-image', result.previousImage ?? '');
  core.setOutput('image', result.image ?? '');
  core.setOutput('active-color', result.activeColor ?? '');
  core.setOutput('canary-weight', result.canaryWeight === undefined ? '' : String(result.canaryWeight));
  core.setOutput('remaining-steps', JSON.stringify(result.remainingSteps));
  core.setOutput('url', result.url ?? '');
  core.setOutput('state', JSON.stringify(result.state ?? { strategy, phase: result.phase }));
  core.setOutput('rolled-back', result.rolledBack ? 'true' : 'false');
}

/** One line on where a canary's traffic share comes from, e.g. "25% by replica ratio: 1 of 4 pods (asked 5%)". */
export function describeCanaryTraffic(t: CanaryTraffic): string {
  const asked = t.achieved !== t.requested ? ` (asked ${t.requested}%)` : '';
  if (t.mode === 'replicas') {
    const total = (t.canaryReplicas ?? 0) + (t.stableReplicas ?? 0);
    return `${t.achieved}% by replica ratio: ${t.canaryReplicas ?? 0} canary pod(s) of ${total}${asked}`;
  }
  const through = t.mode === 'nginx' ? `NGINX canary ingress ${t.via}` : `HTTPRoute ${t.via}`;
  return `${t.achieved}% through ${through}${asked}`;
}

export function deploySummary(options: {
  inputs: DeployInputs;
  strategy: string;
  timeline: string[];
  faults: FaultCounters;
  result?: DeployResult;
  failure?: string;
  diff?: string[];
  configMarkdown: string;
  auditMarkdown: string;
}): StepSummary {
  const { result, inputs } = options;
  const summary = new StepSummary();
  const verdict = options.diff
    ? 'dry run'
    : options.failure
      ? result?.rolledBack
        ? 'failed, rolled back'
        : 'failed'
      : (result?.phase ?? 'done');
  summary.heading(`Deploy (${options.strategy}, ${inputs.operation}) to ${inputs.environment}: ${verdict}`);
  if (options.failure) summary.paragraph(`**Why:** ${options.failure}`);
  if (result) {
    summary.add(
      table(
        ['Fact', 'Value'],
        [
          ['Phase', result.phase],
          ['Image', result.image ?? ''],
          ['Revision', result.revision ?? ''],
          ['Previous revision', result.previousRevision ?? ''],
          ['Previous image', result.previousImage ?? ''],
          ['Active colour', result.activeColor ?? ''],
          [
            'Canary weight',
            result.canaryTraffic
              ? describeCanaryTraffic(result.canaryTraffic)
              : result.canaryWeight === undefined
                ? ''
                : `${result.canaryWeight}%`,
          ],
          ['Remaining steps', result.remainingSteps.join(', ')],
          ['Rolled back', result.rolledBack?.detail ?? ''],
        ].filter(([, value]) => value !== ''),
      ),
    );
  }
  if (options.diff?.length)
    summary.add(`### Server-side dry run\n\n${options.diff.map((line) => `- ${line}`).join('\n')}\n`);
  const f = options.faults;
  if (f.retries + f.conflicts + f.watchResumes + f.watchRelists > 0) {
    summary.paragraph(
      `Faults handled: ${f.retries} retried request(s), ${f.conflicts} conflict(s) re-read, ${f.watchResumes} watch resume(s), ${f.watchRelists} re-list(s).`,
    );
  }
  if (options.timeline.length)
    summary.add(
      details('What happened, step by step', options.timeline.map((line) => `1. ${line}`).join('\n')),
    );
  summary.add(details('Effective configuration', options.configMarkdown));
  summary.add(options.auditMarkdown);
  return summary;
}
