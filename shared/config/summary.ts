import { formatPath } from '../errors.js';
import { redactString } from '../secrets.js';
import { type EnvironmentConfig, environmentConfigSchema } from './schema.js';
import { unitAt } from './schema-walk.js';
import type { PathKey } from './tree.js';
import { formatDuration, formatPercent } from './units.js';

export interface SummaryDetails {
  environment?: string | undefined;
  files?: readonly string[] | undefined;
  /** Dotted path → input name. */
  overriddenPaths?: Readonly<Record<string, string>> | undefined;
  /** Dotted path → text as written; the value is not shown, since it may be a secret. */
  interpolatedPaths?: Readonly<Record<string, string>> | undefined;
}

/**
 * The effective configuration as Markdown for the step summary. Secrets show their
 * `aws-sm://` reference, values from environment variables show the text as written, and any
 * known secret left in other text is redacted. Durations and rates are written with units.
 * `secretPaths` maps dotted paths to references; a plain list of paths shows `***`.
 */
export function effectiveConfigMarkdown(
  config: EnvironmentConfig,
  secretPaths: Readonly<Record<string, string>> | readonly string[],
  details: SummaryDetails = {},
): string {
  const secrets: Readonly<Record<string, string>> = Array.isArray(secretPaths)
    ? Object.fromEntries(secretPaths.map((p) => [p, '***']))
    : (secretPaths as Readonly<Record<string, string>>);
  const overridden = details.overriddenPaths ?? {};
  const interpolated = details.interpolatedPaths ?? {};

  const lines = [
    `### Effective configuration${details.environment ? `: ${code(details.environment)}` : ''}`,
    '',
  ];
  if (details.files?.length) lines.push(`Read from ${details.files.map(code).join(', ')}.`, '');
  lines.push('| Setting | Value | Source |', '| --- | --- | --- |');

  for (const [path, value] of leaves(config)) {
    const dotted = formatPath(path);
    const input = Object.entries(overridden).find(
      ([p]) => dotted === p || dotted.startsWith(`${p}.`) || dotted.startsWith(`${p}[`),
    );
    const notes: string[] = [];
    let shown: string;
    const ref = secrets[dotted];
    if (ref !== undefined) {
      shown = ref;
      notes.push('secret (value hidden)');
    } else if (interpolated[dotted] !== undefined) {
      shown = interpolated[dotted];
      notes.push('environment variable (value hidden)');
    } else {
      shown = redactString(render(value, path));
    }
    if (input) notes.unshift(`input ${code(input[1])}`);
    lines.push(`| ${code(dotted)} | ${code(shown)} | ${notes.join(', ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Scalars and lists of scalars, each as one row. */
function* leaves(value: unknown, path: PathKey[] = []): Generator<[PathKey[], unknown]> {
  if (Array.isArray(value) && value.some((item) => item && typeof item === 'object')) {
    for (const [index, item] of value.entries()) yield* leaves(item, [...path, index]);
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) yield* leaves(item, [...path, key]);
    }
  } else {
    yield [path, value];
  }
}

function render(value: unknown, path: PathKey[]): string {
  if (Array.isArray(value)) return value.map((item, index) => render(item, [...path, index])).join(', ');
  if (typeof value === 'number') {
    const unit = unitAt(environmentConfigSchema, path);
    if (unit === 'duration') return formatDuration(value);
    if (unit === 'percent') return formatPercent(value);
  }
  return String(value);
}

/** A code span that survives a Markdown table: pipes escaped, backticks fenced, one line. */
function code(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const fence = flat.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${flat}${fence.length > 1 ? ' ' : ''}${fence}`;
}
