import * as core from '@actions/core';

/**
 * Every secret value this process has learned. Masking tells the runner to hide the value in
 * logs; the same list lets the audit writer and summaries scrub it from anything they emit.
 */
const known = new Set<string>();

export const REDACTED = '***';

/** Masks a secret in the runner log and remembers it for redaction. Empty values are ignored. */
export function registerSecret(value: string): void {
  if (!value) return;
  if (!known.has(value)) {
    known.add(value);
    core.setSecret(value);
    // A multi-line secret is printed line by line; mask each line too, as the runner would not.
    for (const line of value.split(/\r?\n/)) {
      if (line.trim() && line !== value) {
        known.add(line);
        core.setSecret(line);
      }
    }
  }
}

export function knownSecrets(): ReadonlySet<string> {
  return known;
}

/** Replaces every known secret inside a string. Longest first so a secret's prefix cannot leave a tail. */
export function redactString(text: string): string {
  if (known.size === 0 || !text) return text;
  let out = text;
  for (const secret of [...known].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Deep copy of a JSON-like value with every known secret replaced inside strings and keys. */
export function redactValue<T>(value: T): T {
  if (known.size === 0) return value;
  return redactDeep(value) as T;
}

function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[redactString(key)] = redactDeep(inner);
    return out;
  }
  return value;
}

/** For tests: forget every registered secret. */
export function resetSecretsForTest(): void {
  known.clear();
}
