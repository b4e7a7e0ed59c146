import * as core from '@actions/core';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  /** Higher is worse; the worst are shown first when the cap bites. */
  rank: number;
}

/** GitHub shows at most 10 annotations of each level per step and silently drops the rest. */
export const ANNOTATIONS_PER_LEVEL = 10;

const emitters = { error: core.error, warning: core.warning, notice: core.notice };

export interface AnnotationResult {
  shown: Record<AnnotationLevel, number>;
  omitted: Record<AnnotationLevel, number>;
}

/** Picks the worst annotations per level, in rank order (stable for equal ranks). */
export function selectAnnotations(
  annotations: readonly Annotation[],
  limit = ANNOTATIONS_PER_LEVEL,
): { selected: Annotation[]; omitted: Record<AnnotationLevel, number> } {
  const selected: Annotation[] = [];
  const omitted: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  for (const level of ['error', 'warning', 'notice'] as const) {
    const ofLevel = annotations
      .map((annotation, index) => ({ annotation, index }))
      .filter(({ annotation }) => annotation.level === level)
      .sort((a, b) => b.annotation.rank - a.annotation.rank || a.index - b.index);
    selected.push(...ofLevel.slice(0, limit).map(({ annotation }) => annotation));
    omitted[level] = Math.max(0, ofLevel.length - limit);
  }
  return { selected, omitted };
}

/**
 * Emits the worst annotations within GitHub's cap and logs how many were left out, so the
 * reader knows the summary holds the full list rather than believing there were only ten.
 */
export function emitAnnotations(annotations: readonly Annotation[]): AnnotationResult {
  const { selected, omitted } = selectAnnotations(annotations);
  const shown: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  for (const annotation of selected) {
    const properties: core.AnnotationProperties = {};
    if (annotation.title) properties.title = annotation.title;
    if (annotation.file) properties.file = annotation.file;
    if (annotation.startLine) properties.startLine = annotation.startLine;
    if (annotation.endLine) properties.endLine = annotation.endLine;
    if (annotation.startColumn) properties.startColumn = annotation.startColumn;
    emitters[annotation.level](annotation.message, properties);
    shown[annotation.level]++;
  }
  for (const level of ['error', 'warning', 'notice'] as const) {
    if (omitted[level] > 0) {
      core.info(
        `${omitted[level]} more ${level} annotation(s) not shown (GitHub shows ${ANNOTATIONS_PER_LEVEL} per level); the step summary lists them all.`,
      );
    }
  }
  return { shown, omitted };
}
