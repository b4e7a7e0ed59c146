import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { ConfigProblem, SourcePosition } from '../errors.js';
import type { ConfigNode, MapNode, Origin } from './tree.js';

export type ParsedFile =
  | { root: MapNode; problems?: undefined }
  | { root?: undefined; problems: ConfigProblem[] };

/**
 * Parses one config file into a position-keeping tree. `file` is the name shown in messages.
 * Syntax errors, a document that is not a map and non-string keys are reported, all of them.
 */
export function parseConfigYaml(text: string, file: string): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };

  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => ({
        position: at(error.pos[0]),
        path: '',
        message: `invalid YAML: ${error.message}`,
      })),
    };
  }

  const problems: ConfigProblem[] = [];
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    return { root: { kind: 'map', entries: new Map(), origin: { position: at(0) } } };
  }
  const root = convert(contents, doc, at, problems, new Set());
  if (root.kind !== 'map') {
    problems.push({
      position: root.origin.position,
      path: '',
      message: `expected a map of settings at the top of the file, got ${root.kind === 'list' ? 'a list' : 'a single value'}`,
    });
  }
  if (problems.length > 0 || root.kind !== 'map') return { problems };
  return { root };
}

function convert(
  node: Node,
  doc: Document,
  at: (offset: number) => SourcePosition,
  problems: ConfigProblem[],
  aliases: Set<Node>,
): ConfigNode {
  const origin: Origin = { position: at(node.range?.[0] ?? 0) };
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target || aliases.has(target)) {
      problems.push({
        position: origin.position,
        path: '',
        message: `alias *${node.source} cannot be resolved`,
      });
      return { kind: 'scalar', value: null, origin, plain: true };
    }
    aliases.add(target);
    const resolved = convert(target, doc, at, problems, aliases);
    aliases.delete(target);
    return resolved;
  }
  if (isMap(node)) {
    const entries: MapNode['entries'] = new Map();
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const keyOrigin: Origin = { position: at(key?.range?.[0] ?? node.range?.[0] ?? 0) };
      if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
        problems.push({ position: keyOrigin.position, path: '', message: 'expected a plain text key' });
        continue;
      }
      const value = pair.value as Node | null;
      const converted: ConfigNode = value
        ? convert(value, doc, at, problems, aliases)
        : { kind: 'scalar', value: null, origin: { position: at(key.range?.[1] ?? 0) }, plain: true };
      entries.set(String(key.value), { keyOrigin, value: converted });
    }
    return { kind: 'map', entries, origin };
  }
  if (isSeq(node)) {
    return {
      kind: 'list',
      items: node.items.map((item) =>
        item
          ? convert(item as Node, doc, at, problems, aliases)
          : { kind: 'scalar', value: null, origin, plain: true },
      ),
      origin,
    };
  }
  if (isScalar(node)) {
    const value = node.value;
    const plain = node.type === 'PLAIN';
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    ) {
      return { kind: 'scalar', value, origin, plain };
    }
    // Tags such as !!binary or !!timestamp produce objects the config has no use for.
    problems.push({
      position: origin.position,
      path: '',
      message: 'unsupported YAML value; write plain text',
    });
    return { kind: 'scalar', value: null, origin, plain };
  }
  problems.push({ position: origin.position, path: '', message: 'unsupported YAML node' });
  return { kind: 'scalar', value: null, origin, plain: true };
}
