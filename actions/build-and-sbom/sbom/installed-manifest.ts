import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fields of an installed package's package.json the SBOM adds when node_modules is present. */
export interface InstalledManifest {
  name?: unknown;
  version?: unknown;
  license?: unknown;
  author?: unknown;
}

/** An installed package's package.json, `path` relative to the project (e.g. node_modules/a). */
export function readInstalledManifest(projectDir: string, path: string): InstalledManifest | undefined {
  const file = join(projectDir, path, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as InstalledManifest;
  } catch {
    return undefined;
  }
}

/** The author's name from `"Name <mail> (url)"` or `{ name }`. */
export function authorName(author: unknown): string | undefined {
  if (typeof author === 'string') return author.replace(/\s*[<(].*$/, '').trim() || undefined;
  if (author && typeof author === 'object' && typeof (author as { name?: unknown }).name === 'string') {
    return (author as { name: string }).name.trim() || undefined;
  }
  return undefined;
}
