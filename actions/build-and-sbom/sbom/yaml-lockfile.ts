import { type Document, isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { UserError } from '../../../shared/errors.js';

/**
 * A YAML lockfile (pnpm-lock.yaml, yarn berry's yarn.lock) parsed once, with positions kept so a
 * structural problem found later can still name its line and column.
 */
export interface YamlLockfile {
  data: unknown;
  /** `file:line:column` of the key at `path`, or of the nearest enclosing one that exists. */
  where(path: readonly string[]): string;
}

export function parseYamlLockfile(text: string, file: string, kind: string): YamlLockfile {
  const lineCounter = new LineCounter();
  // Failsafe: every scalar stays a string, so `version: 1.10` or `semver: 7` are not read as numbers.
  const parsed = parseAllDocuments(text, {
    lineCounter,
    schema: 'failsafe',
    prettyErrors: false,
    uniqueKeys: true,
  });
  const documents = Array.isArray(parsed) ? parsed : [];
  // pnpm 10 may write a document for its own installation first; the project's is the last.
  const doc = documents.at(-1);
  const error = documents.flatMap((d) => d.errors)[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new UserError(
      `${file}:${line}:${col}: ${kind} is not valid YAML (${error.message.split('\n')[0]})`,
    );
  }
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  return {
    data: doc?.toJS(),
    where: (path) => at(doc ? keyOffset(doc, path) : 0),
  };
}

function keyOffset(doc: Document.Parsed, path: readonly string[]): number {
  let offset = doc.contents?.range?.[0] ?? 0;
  let node: unknown = doc.contents;
  for (const segment of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
    if (!pair) break;
    if (isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
    node = pair.value;
  }
  return offset;
}

/** A mapping as a plain object, or undefined for anything else. */
export function asMap(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A mapping of names to strings (dependency lists); entries of other types are left out. */
export function stringEntries(value: unknown): [string, string][] {
  return Object.entries(asMap(value) ?? {}).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
}
