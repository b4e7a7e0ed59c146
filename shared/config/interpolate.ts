import { type ConfigProblem, formatPath } from '../errors.js';
import { type ConfigNode, type ScalarNode, scalars } from './tree.js';

export interface InterpolationResult {
  problems: ConfigProblem[];
  /** Scalars left as written because a variable was missing; the schema need not judge them. */
  failed: Set<ScalarNode>;
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` (default when unset or empty, as in the shell) in every
 * string scalar; `$${` stands for a literal `${`. An unquoted scalar is read again after
 * replacement, so `replicas: ${REPLICAS:-3}` is a number. The replaced node remembers the
 * variables it used: their values may be secrets and are never repeated in messages.
 */
export function interpolateTree(
  root: ConfigNode,
  env: Readonly<Record<string, string | undefined>>,
): InterpolationResult {
  const result: InterpolationResult = { problems: [], failed: new Set() };
  for (const [path, node] of scalars(root)) {
    // Input values are taken as given: the workflow has already expanded its own expressions.
    if (node.origin.input || typeof node.value !== 'string' || !node.value.includes('$')) continue;
    const template = node.value;
    const expanded = expand(template, env);
    if (expanded.errors.length > 0) {
      result.failed.add(node);
      for (const message of expanded.errors) {
        result.problems.push({ position: node.origin.position, path: formatPath(path), message });
      }
      continue;
    }
    if (expanded.variables.length === 0) {
      node.value = expanded.text;
      continue;
    }
    node.value = node.plain ? readPlainScalar(expanded.text) : expanded.text;
    node.interpolated = { template, variables: expanded.variables };
  }
  return result;
}

interface Expansion {
  text: string;
  variables: string[];
  errors: string[];
}

const reference = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

function expand(template: string, env: Readonly<Record<string, string | undefined>>): Expansion {
  const out: Expansion = { text: '', variables: [], errors: [] };
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i)) {
      out.text += '${';
      i += 3;
      continue;
    }
    if (!template.startsWith('${', i)) {
      out.text += template[i];
      i += 1;
      continue;
    }
    const end = template.indexOf('}', i + 2);
    if (end < 0) {
      out.errors.push(`unclosed \`\${\`: write \`\${NAME}\`, or \`$\${\` for a literal \`\${\``);
      break;
    }
    const match = reference.exec(template.slice(i + 2, end));
    i = end + 1;
    if (!match) {
      out.errors.push(`expected a variable reference such as \`\${NAME}\` or \`\${NAME:-default}\``);
      continue;
    }
    const name = match[1] as string;
    const fallback = match[2];
    const value = env[name];
    if (!out.variables.includes(name)) out.variables.push(name);
    if (value !== undefined && !(fallback !== undefined && value === '')) out.text += value;
    else if (fallback !== undefined) out.text += fallback;
    else
      out.errors.push(
        `environment variable ${name} is not set (write \`\${${name}:-default}\` to give a default)`,
      );
  }
  return out;
}

/** The YAML 1.2 core schema's reading of an unquoted scalar, for the types the config uses. */
function readPlainScalar(text: string): string | number | boolean | null {
  if (/^(?:~|null|Null|NULL)?$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}
