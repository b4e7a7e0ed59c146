import * as z from 'zod';
import { isSecretRef } from './secret-ref.js';
import { formatPercent, parseDuration, parsePercent } from './units.js';

/**
 * Field types shared by the config schema. Their messages say only what was expected: the
 * value itself is added when the problem is reported, and left out when it came from an
 * environment variable. A `hint` may repeat the value; `safeHint` never does.
 */

export type Unit = 'duration' | 'percent';

/** Which schemas hold a unit, so the summary can write values back the way they were written. */
export const unitOf = new WeakMap<z.core.$ZodType, Unit>();

export function numberBetween(min: number, max: number, options: { int?: boolean } = {}) {
  const what = options.int ? 'a whole number' : 'a number';
  const error = `expected ${what} between ${min} and ${max}`;
  const base = options.int ? z.int({ error }) : z.number({ error });
  return base.min(min, { error }).max(max, { error });
}

export function wholeNumberFrom(min: number) {
  const error = `expected a whole number of at least ${min}`;
  return z.int({ error }).min(min, { error });
}

export const text = () => z.string().min(1, { error: 'expected non-empty text' });

function numericHint(value: unknown, render: (n: number) => string): string | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  return Number.isFinite(n) && !(typeof value === 'string' && value.trim() === '') ? render(n) : undefined;
}

/** A rate written as "0.1%"; parsed to a fraction (0.001). */
export function percent(options: { max?: number } = {}) {
  const max = options.max ?? 100;
  const expected = `expected a percentage between 0% and ${max}% such as "1%"`;
  const schema = z.unknown().transform((value, ctx) => {
    const fraction = typeof value === 'string' ? parsePercent(value) : undefined;
    if (fraction === undefined) {
      const hint = numericHint(value, (n) =>
        n > 0 && n < 1
          ? `write "${n}%" for ${n} percent, or "${formatPercent(n)}" if ${n} is a fraction`
          : `write "${n}%"`,
      );
      ctx.addIssue({
        code: 'custom',
        message: expected,
        params: { hint, safeHint: 'write it with a % sign' },
      });
      return z.NEVER;
    }
    if (fraction > max / 100) {
      ctx.addIssue({ code: 'custom', message: expected });
      return z.NEVER;
    }
    return fraction;
  });
  unitOf.set(schema, 'percent');
  return schema;
}

/** A length of time written as "500ms", "30s", "5m", "1h" or "1h30m"; parsed to milliseconds. */
export function duration(options: { min?: number } = {}) {
  const expected = `expected a duration${options.min ? ' above zero' : ''} such as "500ms", "30s", "5m" or "1h"`;
  const schema = z.unknown().transform((value, ctx) => {
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined || ms < (options.min ?? 0)) {
      const hint = numericHint(value, (n) => `write "${n}ms" for milliseconds or "${n}s" for seconds`);
      ctx.addIssue({ code: 'custom', message: expected, params: { hint, safeHint: 'add a unit' } });
      return z.NEVER;
    }
    return ms;
  });
  unitOf.set(schema, 'duration');
  return schema;
}

/** A coverage figure, as tools report it: a percentage from 0 to 100, written 70 or "70%". */
export function coveragePercent() {
  const expected = 'expected a percentage between 0 and 100, such as 70 or "70%"';
  return z.unknown().transform((value, ctx) => {
    const pct =
      typeof value === 'number' ? value : typeof value === 'string' ? parsePercent(value) : undefined;
    const result = typeof value === 'string' && pct !== undefined ? Number((pct * 100).toPrecision(12)) : pct;
    if (result === undefined || !(result >= 0 && result <= 100)) {
      ctx.addIssue({ code: 'custom', message: expected });
      return z.NEVER;
    }
    return result;
  });
}

/** An http(s) URL, or a secret reference that resolves to one (webhook URLs carry tokens). */
export function httpUrl() {
  return z.string().refine((value) => isSecretRef(value) || isHttpUrl(value), {
    error: 'expected an http:// or https:// URL, or an aws-sm:// secret reference',
  });
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A Kubernetes object name (DNS subdomain): lowercase letters, digits, '-' and '.'. */
export function kubernetesName(options: { label?: boolean } = {}) {
  const error = options.label
    ? "expected a Kubernetes namespace name: up to 63 lowercase letters, digits and '-'"
    : "expected a Kubernetes object name: lowercase letters, digits, '-' and '.'";
  const pattern = options.label
    ? /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/
    : /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
  return z.string({ error }).regex(pattern, { error });
}

/** A URL path such as "/health". */
export function urlPath() {
  return z.string().startsWith('/', { error: 'expected a path starting with "/", such as "/health"' });
}
