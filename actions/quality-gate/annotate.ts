import * as core from '@actions/core';
import {
  ANNOTATIONS_PER_LEVEL,
  type Annotation,
  emitAnnotations,
  selectAnnotations,
} from '../../shared/annotations.js';
import type { Evaluation, JudgedFinding } from './gates.js';
import { severityRank } from './severity.js';

/** Higher is worse: severity first, then the scanner's own score. */
export function findingRank(finding: JudgedFinding): number {
  return severityRank(finding.severity) * 100 + (finding.securitySeverity ?? 0) * 10;
}

/** Blocking findings and failed tests are errors; other findings of medium or worse are warnings. */
export function annotationsFor(evaluation: Evaluation): Annotation[] {
  const annotations: Annotation[] = [];
  for (const finding of evaluation.findings) {
    const level = finding.blocking
      ? 'error'
      : finding.allowedBy
        ? 'notice'
        : severityRank(finding.severity) >= 3
          ? 'warning'
          : 'notice';
    annotations.push({
      level,
      title: `${finding.tool}: ${finding.id} (${finding.severity})`,
      message: `${finding.title}${finding.allowedBy ? ` — allowed by ${finding.allowedBy.join(', ')}` : ''}`,
      ...(finding.file ? { file: finding.file } : {}),
      ...(finding.line ? { startLine: finding.line } : {}),
      ...(finding.column ? { startColumn: finding.column } : {}),
      rank: findingRank(finding),
    });
  }
  for (const failure of evaluation.testFailures) {
    annotations.push({
      level: 'error',
      title: `test ${failure.kind}: ${[failure.classname, failure.name].filter(Boolean).join(' › ')}`,
      message: failure.message ?? `${failure.kind} in ${failure.name}`,
      ...(failure.file ? { file: failure.file } : {}),
      ...(failure.line ? { startLine: failure.line } : {}),
      rank: 450,
    });
  }
  return annotations;
}

/**
 * Emits the worst annotations. One error slot of GitHub's ten is kept for the step's own
 * failure message, so the cap never hides the verdict.
 */
export function emitFindingAnnotations(evaluation: Evaluation): { shown: number; omitted: number } {
  const all = annotationsFor(evaluation);
  const errors = selectAnnotations(
    all.filter((a) => a.level === 'error'),
    evaluation.passed ? ANNOTATIONS_PER_LEVEL : ANNOTATIONS_PER_LEVEL - 1,
  );
  const result = emitAnnotations([...errors.selected, ...all.filter((a) => a.level !== 'error')]);
  if (errors.omitted.error > 0) {
    core.info(
      `${errors.omitted.error} more error annotation(s) not shown; the step summary and the JSON report list them.`,
    );
  }
  const shown = result.shown.error + result.shown.warning + result.shown.notice;
  return { shown, omitted: all.length - shown };
}
