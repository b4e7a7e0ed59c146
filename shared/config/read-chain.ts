import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigProblem } from '../errors.js';
import { mergeMaps } from './merge.js';
import { parseConfigYaml } from './parse-yaml.js';
import type { ConfigNode, MapNode, Origin } from './tree.js';

export interface ReadChainResult {
  root?: MapNode | undefined;
  problems: ConfigProblem[];
  /** Files read, bases before the files that extend them, as shown in messages. */
  files: string[];
}

/** Thrown for the top-level file only; a missing base file is a located problem instead. */
export class ConfigFileMissing extends Error {
  override readonly name = 'ConfigFileMissing';
}

/**
 * Reads a config file and, first, every file it `extends` (a relative path or a list of them,
 * relative to the extending file), merging bases under the file. Cycles are reported with the
 * whole chain; the same base reached by two routes is fine.
 */
export async function readConfigChain(
  file: string,
  display: (file: string) => string,
): Promise<ReadChainResult> {
  const result: ReadChainResult = { problems: [], files: [] };
  result.root = await readOne(path.resolve(file), [], undefined, display, result);
  if (result.problems.length > 0) result.root = undefined;
  return result;
}

async function readOne(
  file: string,
  chain: string[],
  via: { origin: Origin; path: string } | undefined,
  display: (file: string) => string,
  result: ReadChainResult,
): Promise<MapNode | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    if (!via) throw new ConfigFileMissing(reason);
    result.problems.push({
      position: via.origin.position,
      path: via.path,
      message: `cannot read the base file ${display(file)}: ${reason}`,
    });
    return undefined;
  }

  const parsed = parseConfigYaml(text, display(file));
  if (parsed.problems) {
    result.problems.push(...parsed.problems);
    return undefined;
  }
  const root = parsed.root;
  const extendsEntry = root.entries.get('extends');
  root.entries.delete('extends');

  let base: MapNode | undefined;
  for (const target of extendsTargets(extendsEntry?.value, result.problems)) {
    const targetFile = path.resolve(path.dirname(file), target.file);
    const cycleStart = [...chain, file].indexOf(targetFile);
    if (cycleStart >= 0) {
      const loop = [...chain.slice(cycleStart), file, targetFile].map(display).join(' → ');
      result.problems.push({
        position: target.origin.position,
        path: target.path,
        message: `extends cycle: ${loop}`,
      });
      continue;
    }
    const loaded = await readOne(targetFile, [...chain, file], target, display, result);
    if (loaded) base = base ? mergeMaps(base, loaded) : loaded;
  }
  result.files.push(display(file));
  return base ? mergeMaps(base, root) : root;
}

interface ExtendsTarget {
  file: string;
  origin: Origin;
  path: string;
}

function extendsTargets(node: ConfigNode | undefined, problems: ConfigProblem[]): ExtendsTarget[] {
  if (!node) return [];
  const items =
    node.kind === 'list'
      ? node.items.map((item, i) => [item, `extends[${i}]`] as const)
      : [[node, 'extends'] as const];
  const targets: ExtendsTarget[] = [];
  for (const [item, itemPath] of items) {
    if (item.kind === 'scalar' && typeof item.value === 'string' && item.value.trim()) {
      targets.push({ file: item.value.trim(), origin: item.origin, path: itemPath });
    } else {
      problems.push({
        position: item.origin.position,
        path: itemPath,
        message: 'expected a file path relative to this file, or a list of them',
      });
    }
  }
  return targets;
}
