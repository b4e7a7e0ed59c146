import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../../shared/errors.js';
import type { ManifestReader, PackageGraph, ProjectManifest } from './package-graph.js';
import { type PackageLock, parsePackageLock } from './package-lock.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parseYarnBerryLock } from './yarn-berry-lock.js';
import { parseYarnClassicLock } from './yarn-classic-lock.js';

/** A parsed lockfile of any supported package manager. */
export type Lockfile = PackageLock | PackageGraph;
export type LockfileFormat = Lockfile['format'];

/** Which parser reads a file: by its name, else by how it starts (a lockfile input may be renamed). */
export function lockfileFormat(path: string, text: string): LockfileFormat {
  const name = basename(path);
  if (name.endsWith('.json') || text.trimStart().startsWith('{')) return 'npm';
  if (/^__metadata:/m.test(text)) return 'yarn-berry';
  if (name === 'pnpm-lock.yaml' || /^lockfileVersion:/m.test(text)) return 'pnpm';
  if (name === 'yarn.lock' || /^# yarn lockfile v1/m.test(text)) return 'yarn-classic';
  throw new UserError(
    `${path}: not a lockfile this action reads (package-lock.json, npm-shrinkwrap.json, yarn.lock or pnpm-lock.yaml)`,
  );
}

function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry) => typeof entry[1] === 'string'));
}

/** package.json files of the project's workspaces, read from beside the lockfile. */
function manifestReader(projectDir: string): ManifestReader {
  return (folder) => {
    const file = join(projectDir, folder, 'package.json');
    if (!existsSync(file)) return undefined;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      // It decides which dependencies are dev ones: guessing would change the SBOM silently.
      throw new UserError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
    const manifest: ProjectManifest = {
      name: text('name'),
      version: text('version'),
      license: text('license'),
      dependencies: stringMap(raw.dependencies),
      devDependencies: stringMap(raw.devDependencies),
      optionalDependencies: stringMap(raw.optionalDependencies),
      hasWorkspaces: raw.workspaces !== undefined,
    };
    return manifest;
  };
}

/** Reads and parses the lockfile once, so a malformed one fails before anything is built. */
export function loadLockfile(path: string): Lockfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read the lockfile ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  const readManifest = manifestReader(dirname(path));
  switch (lockfileFormat(path, text)) {
    case 'npm':
      return parsePackageLock(text, path);
    case 'yarn-classic':
      return parseYarnClassicLock(text, path, readManifest);
    case 'yarn-berry':
      return parseYarnBerryLock(text, path, readManifest);
    case 'pnpm':
      return parsePnpmLock(text, path, readManifest);
  }
}

/** How the summary names a lockfile's format. */
export function describeLockfile(lock: Lockfile): string {
  switch (lock.format) {
    case 'npm':
      return `npm, lockfileVersion ${lock.lockfileVersion}`;
    case 'yarn-classic':
      return 'yarn 1';
    case 'yarn-berry':
      return `yarn 2+, __metadata version ${lock.formatVersion}`;
    case 'pnpm':
      return `pnpm, lockfileVersion ${lock.formatVersion}`;
  }
}
