import { UserError } from '../../shared/errors.js';

export const TEMPLATE_VARIABLES = ['namespace', 'canary', 'stable', 'target', 'interval'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** Escapes a value for a PromQL double-quoted string. */
function promqlString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Writes milliseconds as a PromQL duration: 60000 → "1m", 90000 → "90s". */
export function promqlDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Whether a template selects on `{{target}}`, i.e. can be run for the canary and the baseline. */
export function usesTarget(template: string): boolean {
  return /\{\{\s*target\s*\}\}/.test(template);
}

/**
 * Fills `{{namespace}}`, `{{canary}}`, `{{stable}}`, `{{target}}` and `{{interval}}`. Names are
 * escaped for PromQL strings; an unknown placeholder is a mistake in the query and says where.
 */
export function renderQuery(
  template: string,
  values: Record<TemplateVariable, string>,
  where: string,
): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_, name: string) => {
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
      throw new UserError(
        `${where}: unknown placeholder {{${name}}}; expected one of ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`,
      );
    }
    const value = values[name as TemplateVariable];
    return name === 'interval' ? value : promqlString(value);
  });
}
