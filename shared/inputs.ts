import * as core from '@actions/core';
import { UserError } from './errors.js';

/**
 * Typed readers for action inputs. Each returns undefined for an empty input (the runner passes
 * unset inputs as empty strings) unless `required`, and raises a UserError naming the input and
 * what it expected. Actions call these once, in their own input parser, and pass the typed
 * object on.
 */

export interface InputOptions {
  required?: boolean;
}

/** The environment variable the runner sets for an input: `INPUT_` + upper-case, spaces to `_`. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export function getString(name: string, options: { required: true }): string;
export function getString(name: string, options?: InputOptions): string | undefined;
export function getString(name: string, options: InputOptions = {}): string | undefined {
  const value = core.getInput(name);
  if (value === '') {
    if (options.required) throw new UserError(`input "${name}" is required and was not given`);
    return undefined;
  }
  return value;
}

function invalid(name: string, expected: string, got: string): UserError {
  return new UserError(`input "${name}": expected ${expected}, got ${JSON.stringify(got)}`);
}

const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

/** YAML 1.2 core-schema booleans only, as the runner's own getBooleanInput: "yes" or "1" is a mistake. */
export function getBoolean(name: string, fallback: boolean): boolean {
  const raw = getString(name);
  if (raw === undefined) return fallback;
  if (TRUE.has(raw)) return true;
  if (FALSE.has(raw)) return false;
  throw invalid(name, 'true or false', raw);
}

type RangeOptions = InputOptions & { min?: number; max?: number };

/** Reads a number input that must match `pattern` and lie within the range, named `kind` in errors. */
function getRanged(name: string, options: RangeOptions, pattern: RegExp, kind: string): number | undefined {
  const raw = getString(name, options);
  if (raw === undefined) return undefined;
  const expected = `${kind}${describeRange(options.min, options.max)}`;
  const value = Number(raw);
  if (!pattern.test(raw) || !Number.isFinite(value)) throw invalid(name, expected, raw);
  if (
    (options.min !== undefined && value < options.min) ||
    (options.max !== undefined && value > options.max)
  ) {
    throw invalid(name, expected, raw);
  }
  return value;
}

export function getInteger(name: string, options: RangeOptions = {}): number | undefined {
  return getRanged(name, options, /^-?\d+$/, 'an integer');
}

export function getNumber(name: string, options: RangeOptions = {}): number | undefined {
  return getRanged(name, options, /^-?\d+(\.\d+)?$/, 'a number');
}

function describeRange(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

export function getEnum<const T extends string>(
  name: string,
  allowed: readonly T[],
  options: InputOptions = {},
): T | undefined {
  const raw = getString(name, options);
  if (raw === undefined) return undefined;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw invalid(name, `one of ${allowed.join(', ')}`, raw);
}

/** A list given one item per line or comma-separated; blank items and `#` comment lines dropped. */
export function getList(name: string, options: InputOptions = {}): string[] {
  const raw = getString(name, options);
  if (raw === undefined) return [];
  return raw
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "500ms", "30s", "5m", "1h30m", "2d" into milliseconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(match[1]) * (UNIT_MS[match[2]!] ?? 0);
  }
  return Math.round(total);
}

export function getDuration(name: string, options: InputOptions = {}): number | undefined {
  const raw = getString(name, options);
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  if (ms === undefined) throw invalid(name, 'a duration such as 500ms, 30s, 5m or 1h', raw);
  return ms;
}

/** A JSON object input (for payloads and extra fields). */
export function getJsonObject(name: string, options: InputOptions = {}): Record<string, unknown> | undefined {
  const raw = getString(name, options);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new UserError(
      `input "${name}": expected a JSON object, but it is not valid JSON (${(error as Error).message})`,
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw invalid(name, 'a JSON object', raw);
  return parsed as Record<string, unknown>;
}
