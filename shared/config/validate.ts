import type * as z from 'zod';
import { type ConfigProblem, formatPath } from '../errors.js';
import { describeValue, inputPrefix, isEchoable } from './describe-value.js';
import { didYouMean } from './did-you-mean.js';
import { type EnvironmentConfig, environmentConfigSchema } from './schema.js';
import { knownKeysAt } from './schema-walk.js';
import { type ConfigNode, findNode, type MapNode, toPlain } from './tree.js';

export type ValidationResult =
  | { config: EnvironmentConfig; problems: [] }
  | { config?: undefined; problems: ConfigProblem[] };

/**
 * Validates the merged tree and turns every schema issue into a located problem:
 * `file:line:col path: expected …, got …`. Values in `skip` already have a problem of their own.
 */
export function validateTree(root: MapNode, skip: ReadonlySet<ConfigNode> = new Set()): ValidationResult {
  const parsed = environmentConfigSchema.safeParse(toPlain(root), { error: expectation });
  if (parsed.success) return { config: parsed.data, problems: [] };
  const problems = parsed.error.issues.flatMap((issue) => toProblems(root, issue, skip));
  return { problems };
}

function toProblems(root: MapNode, issue: z.core.$ZodIssue, skip: ReadonlySet<ConfigNode>): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(environmentConfigSchema, issue.path);
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      const { node, keyOrigin } = findNode(root, path);
      const origin = keyOrigin ?? node.origin;
      const suggestion = didYouMean(key, known);
      const advice = suggestion
        ? `did you mean \`${suggestion}\`?`
        : `expected one of ${known.map((k) => `\`${k}\``).join(', ')}`;
      return {
        position: origin.position,
        path: formatPath(path),
        message: `${inputPrefix(origin)}unknown key; ${advice}`,
      };
    });
  }

  const { node, depth, keyOrigin } = findNode(root, issue.path);
  if (skip.has(node)) return [];
  const path = formatPath(issue.path);
  if (depth < issue.path.length) {
    // The value is not in the file: a required key is missing (point at the key of the map that
    // lacks it), or a rule failed on a default.
    const origin = keyOrigin ?? node.origin;
    const missing = issue.code === 'invalid_type' && depth === issue.path.length - 1;
    const message = missing ? `missing required key, ${issue.message}` : issue.message;
    return [{ position: origin.position, path, message: inputPrefix(origin) + message }];
  }
  const prefix = inputPrefix(node.origin);

  let message = `${issue.message}, got ${describeValue(node)}`;
  const params =
    issue.code === 'custom' ? (issue.params as { hint?: string; safeHint?: string } | undefined) : undefined;
  const hint = isEchoable(node) ? params?.hint : params?.safeHint;
  if (hint) message += `; ${hint}`;
  if (
    issue.code === 'invalid_value' &&
    node.kind === 'scalar' &&
    typeof node.value === 'string' &&
    isEchoable(node)
  ) {
    const suggestion = didYouMean(node.value, issue.values.map(String));
    if (suggestion) message += `; did you mean \`${suggestion}\`?`;
  }
  return [{ position: node.origin.position, path, message: prefix + message }];
}

const typeNames: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
};

/** What the schema wanted, for issues whose schema gives no message of its own. */
function expectation(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeNames[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => `\`${String(v)}\``).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `expected at least ${issue.minimum} item(s)`;
      if (issue.origin === 'string') return 'expected non-empty text';
      return `expected a number of at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${issue.maximum} item(s)`;
      if (issue.origin === 'string') return `expected at most ${issue.maximum} characters`;
      return `expected a number of at most ${issue.maximum}`;
    case 'invalid_format':
      return `expected ${issue.format === 'url' ? 'a URL' : `text in ${issue.format} format`}`;
    case 'invalid_union':
      return 'expected a value of another type';
    default:
      return issue.message ?? 'invalid value';
  }
}
