import type { KObj } from './resources.js';
import { badRequest } from './status.js';

/** Label selectors (query-string and `LabelSelector` object forms) and field selectors. */

type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; values: [string] };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function parseRequirement(part: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(part);
  if (m) {
    const values = m[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return { key: m[1]!, op: m[2] as 'in' | 'notin', values };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (m) return { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] };
  m = /^!\s*(\S+)$/.exec(part);
  if (m) return { key: m[1]!, op: '!exists' };
  if (KEY.test(part)) return { key: part, op: 'exists' };
  throw badRequest(`unable to parse requirement: found '${part}', expected: identifier`);
}

function evaluate(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && l[r.key] === r.values[0];
      case '!=':
        return !has || l[r.key] !== r.values[0];
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        return !has || !r.values.includes(l[r.key]!);
    }
    return false;
  });
}

export function parseLabelSelector(selector: string | undefined | null): LabelMatcher {
  if (!selector || selector.trim() === '') return () => true;
  const reqs = splitTopLevel(selector).map(parseRequirement);
  return (labels) => evaluate(reqs, labels);
}

/** A `metav1.LabelSelector` object. An empty selector matches everything, a missing one nothing. */
export function labelSelectorMatcher(selector: KObj | undefined | null): LabelMatcher {
  if (!selector) return () => false;
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    reqs.push({ key, op: '=', values: [String(value)] });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const op = String(expr.operator);
    if (op === 'In') reqs.push({ key: expr.key, op: 'in', values: expr.values ?? [] });
    else if (op === 'NotIn') reqs.push({ key: expr.key, op: 'notin', values: expr.values ?? [] });
    else if (op === 'Exists') reqs.push({ key: expr.key, op: 'exists' });
    else if (op === 'DoesNotExist') reqs.push({ key: expr.key, op: '!exists' });
  }
  return (labels) => evaluate(reqs, labels);
}

/** `matchLabels` as a query-string selector, for `status.selector` of scale subresources. */
export function selectorString(selector: KObj | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const expr of selector?.matchExpressions ?? []) {
    if (expr.operator === 'In') parts.push(`${expr.key} in (${(expr.values ?? []).join(',')})`);
    else if (expr.operator === 'NotIn') parts.push(`${expr.key} notin (${(expr.values ?? []).join(',')})`);
    else if (expr.operator === 'Exists') parts.push(expr.key);
    else if (expr.operator === 'DoesNotExist') parts.push(`!${expr.key}`);
  }
  return parts.join(',');
}

export type FieldMatcher = (obj: KObj) => boolean;

function fieldValue(obj: KObj, path: string): string {
  let current: unknown = obj;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as KObj)[segment];
  }
  if (current === undefined || current === null) return '';
  return String(current);
}

/** `metadata.name=x,status.phase!=Running`: any dotted path into the object. */
export function parseFieldSelector(selector: string | undefined | null): FieldMatcher {
  if (!selector || selector.trim() === '') return () => true;
  const reqs = selector.split(',').map((part) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part.trim());
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    return { path: m[1]!.trim(), neg: m[2] === '!=', value: m[3]!.trim() };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.neg);
}
