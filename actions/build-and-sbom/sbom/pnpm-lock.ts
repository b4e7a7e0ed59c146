import { posix } from 'node:path';
import { UserError } from '../../../shared/errors.js';
import {
  type GraphPackage,
  type ManifestReader,
  type PackageGraph,
  splitDescriptor,
} from './package-graph.js';
import { asMap, parseYamlLockfile, stringEntries } from './yaml-lockfile.js';

/**
 * pnpm-lock.yaml, lockfileVersion 6.x (pnpm 8) and 9.x (pnpm 9 and later).
 *
 * v6 keys packages `/name@version(peers)` and keeps their dependencies beside their resolution;
 * v9 keys `name@version` in `packages` (resolution) and `name@version(peers)` in `snapshots`
 * (dependencies). Dependency values are a version (`1.2.3`, `1.2.3(peer@4.5.6)`), an alias
 * (`other@1.2.3`, v6 `/other@1.2.3`) or `link:<folder>` to another workspace. Importers say which
 * dependencies are dev ones; production is what their other dependencies reach.
 */

const SUPPORTED = [6, 9];

interface Importer {
  dependencies: [string, string][];
  devDependencies: [string, string][];
}

/** `{ specifier, version }` (v6, v9) or a bare version (older layouts) to the version. */
function importerRefs(value: unknown): [string, string][] {
  return Object.entries(asMap(value) ?? {}).flatMap(([name, spec]): [string, string][] => {
    if (typeof spec === 'string') return [[name, spec]];
    const version = asMap(spec)?.version;
    return typeof version === 'string' ? [[name, version]] : [];
  });
}

function readImporter(value: Record<string, unknown>): Importer {
  return {
    dependencies: [...importerRefs(value.dependencies), ...importerRefs(value.optionalDependencies)],
    devDependencies: importerRefs(value.devDependencies),
  };
}

function withoutPeers(key: string): string {
  const paren = key.indexOf('(');
  return paren >= 0 ? key.slice(0, paren) : key;
}

/** Name and version a package key spells (`/@scope/name@1.2.3(peer@1.0.0)` or `name@1.2.3`). */
function nameAndVersion(key: string): { name: string; version?: string } {
  const { name, range } = splitDescriptor(withoutPeers(key).replace(/^\//, ''));
  // Tarball and git dependencies are keyed by URL; their version is only in the entry.
  return { name, version: range && !range.includes(':') && !range.includes('/') ? range : undefined };
}

function resolutionOf(value: unknown): { integrity?: string; resolved?: string } {
  const resolution = asMap(value) ?? {};
  const text = (field: string) => {
    const v = resolution[field];
    return typeof v === 'string' && v ? v : undefined;
  };
  const repo = text('repo');
  const commit = text('commit');
  return {
    integrity: text('integrity'),
    resolved: text('tarball') ?? (repo && commit ? `git+${repo.replace(/^git\+/, '')}#${commit}` : undefined),
  };
}

export function parsePnpmLock(text: string, file: string, readManifest: ManifestReader): PackageGraph {
  const lock = parseYamlLockfile(text, file, 'pnpm-lock.yaml');
  const doc = asMap(lock.data);
  if (!doc) throw new UserError(`${file}:1:1: expected a pnpm-lock.yaml mapping`);
  const formatVersion = typeof doc.lockfileVersion === 'string' ? doc.lockfileVersion : undefined;
  if (!formatVersion) {
    throw new UserError(
      `${lock.where(['lockfileVersion'])}: "lockfileVersion" is missing; this does not look like a pnpm-lock.yaml`,
    );
  }
  const major = Number.parseInt(formatVersion, 10);
  if (!SUPPORTED.includes(major)) {
    throw new UserError(
      `${lock.where(['lockfileVersion'])}: pnpm lockfileVersion ${formatVersion} is not supported; 6.x (pnpm 8) and 9.x (pnpm 9 and later) are (run pnpm install with a newer pnpm)`,
    );
  }
  const mapAt = (field: string): Record<string, unknown> => {
    if (doc[field] === undefined) return {};
    const map = asMap(doc[field]);
    if (!map) throw new UserError(`${lock.where([field])}: "${field}" is not a mapping`);
    return map;
  };
  const packagesMap = mapAt('packages');
  // v9 keeps dependencies in snapshots; v6 in the package entries themselves.
  const snapshotsMap = major >= 9 ? mapAt('snapshots') : packagesMap;
  const snapshotsField = major >= 9 ? 'snapshots' : 'packages';

  // A project without workspaces may write its dependencies at the top level (v6).
  const importersMap = doc.importers !== undefined ? mapAt('importers') : { '.': doc };
  const importers = new Map<string, Importer>();
  for (const [folder, value] of Object.entries(importersMap)) {
    const map = asMap(value);
    if (!map)
      throw new UserError(`${lock.where(['importers', folder])}: importer "${folder}" is not a mapping`);
    importers.set(folder, readImporter(map));
  }

  const packages = new Map<string, GraphPackage>();
  const rawDependencies = new Map<string, [string, string][]>();
  for (const [key, value] of Object.entries(snapshotsMap)) {
    const snapshot = asMap(value);
    if (!snapshot) {
      throw new UserError(
        `${lock.where([snapshotsField, key])}: ${snapshotsField}["${key}"] is not a mapping`,
      );
    }
    const metaKey = major >= 9 ? withoutPeers(key) : key;
    const meta = major >= 9 ? asMap(packagesMap[metaKey]) : snapshot;
    if (!meta) {
      throw new UserError(
        `${lock.where([snapshotsField, key])}: snapshot "${key}" has no entry "${metaKey}" under packages`,
      );
    }
    const parsed = nameAndVersion(key);
    const name = typeof meta.name === 'string' ? meta.name : parsed.name;
    if (!name)
      throw new UserError(`${lock.where([snapshotsField, key])}: cannot read a package name from "${key}"`);
    packages.set(key, {
      key,
      name,
      version: typeof meta.version === 'string' ? meta.version : parsed.version,
      ...resolutionOf(meta.resolution),
      properties: [],
      dependencies: [],
      devDependencies: [],
    });
    rawDependencies.set(key, [
      ...stringEntries(snapshot.dependencies),
      ...stringEntries(snapshot.optionalDependencies),
    ]);
  }

  const rootManifest = readManifest('.');
  const workspaceKey = (folder: string) => `workspace:${folder}`;
  const root: GraphPackage = {
    key: workspaceKey('.'),
    name: rootManifest?.name ?? 'project',
    version: rootManifest?.version,
    license: rootManifest?.license,
    properties: [],
    dependencies: [],
    devDependencies: [],
    workspace: '.',
  };
  for (const folder of importers.keys()) {
    if (folder === '.') continue;
    const manifest = readManifest(folder);
    packages.set(workspaceKey(folder), {
      key: workspaceKey(folder),
      name: manifest?.name ?? posix.basename(folder),
      version: manifest?.version,
      license: manifest?.license,
      properties: [],
      dependencies: [],
      devDependencies: [],
      workspace: folder,
    });
  }

  const unresolved: string[] = [];
  const resolve = (name: string, ref: string, fromFolder: string): string | undefined => {
    if (ref.startsWith('link:')) {
      const folder = posix.normalize(posix.join(fromFolder, ref.slice('link:'.length))) || '.';
      // A link outside the workspace is a folder on disk, not a package the lockfile describes.
      return importers.has(folder) ? workspaceKey(folder) : undefined;
    }
    const candidates = major >= 9 ? [`${name}@${ref}`, ref] : [`/${name}@${ref}`, ref, `/${ref}`];
    const found = candidates.find((candidate) => packages.has(candidate));
    if (!found) unresolved.push(`${name}@${ref}`);
    return found;
  };
  const resolveAll = (refs: [string, string][], fromFolder: string) =>
    refs.flatMap(([name, ref]) => {
      const key = resolve(name, ref, fromFolder);
      return key ? [key] : [];
    });

  for (const [key, refs] of rawDependencies) packages.get(key)!.dependencies = resolveAll(refs, '.');
  for (const [folder, importer] of importers) {
    const node = folder === '.' ? root : packages.get(workspaceKey(folder))!;
    node.dependencies = resolveAll(importer.dependencies, folder);
    node.devDependencies = resolveAll(importer.devDependencies, folder);
  }

  const warnings: string[] = [];
  if (unresolved.length) {
    warnings.push(
      `${file}: ${unresolved.length} dependency reference(s) name no package in the lockfile (first: ${unresolved.slice(0, 3).join(', ')}); run pnpm install to bring it up to date`,
    );
  }
  return {
    format: 'pnpm',
    file,
    formatVersion,
    root,
    packages,
    devKnown: true,
    warnings,
    notes: [],
  };
}
