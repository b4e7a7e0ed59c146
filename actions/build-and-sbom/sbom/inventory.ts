import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { authorName, readInstalledManifest } from './installed-manifest.js';
import { type HashAlgorithm, integrityHashes } from './integrity.js';
import type { LockEntry, PackageLock } from './package-lock.js';

/**
 * The packages an SBOM lists, built once from a lockfile and rendered as CycloneDX and SPDX.
 * Packages are keyed by purl: the same name@version installed at several paths is one package
 * (the paths are kept), and its dependency edges are merged.
 */
export interface InventoryPackage {
  purl: string;
  name: string;
  version?: string;
  /** Install paths in the lockfile. */
  paths: string[];
  resolved?: string;
  hashes: Map<HashAlgorithm, string>;
  /** SPDX id, expression or free text as the package declares it. */
  license?: string;
  /** Who supplies it, when known (the manifest's author). */
  supplier?: string;
  /** purls this package depends on. */
  dependsOn: Set<string>;
  /** Lockfile facts with no standard field, kept as CycloneDX properties (name, value). */
  properties?: [string, string][];
}

export interface Inventory {
  lockfile: string;
  root: InventoryPackage;
  packages: Map<string, InventoryPackage>;
  includeDev: boolean;
}

/** Package URL of an npm package: the scope's `@` is encoded (`pkg:npm/%40scope/name@1.0.0`). */
export function npmPurl(name: string, version: string | undefined): string {
  const [scope, bare] = name.startsWith('@')
    ? [name.slice(0, name.indexOf('/')), name.slice(name.indexOf('/') + 1)]
    : [undefined, name];
  const path = scope ? `${encodeURIComponent(scope)}/${encodeURIComponent(bare)}` : encodeURIComponent(bare);
  return `pkg:npm/${path}${version ? `@${encodeURIComponent(version)}` : ''}`;
}

/** Node's module resolution over lockfile keys: the nearest `node_modules/<name>` up from `from`. */
function resolveDependency(
  entries: Map<string, LockEntry>,
  from: string,
  name: string,
): LockEntry | undefined {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    const found = entries.get(candidate);
    if (found) return found;
    if (base === '') return undefined;
    const at = base.lastIndexOf('/node_modules/');
    base = at >= 0 ? base.slice(0, at) : '';
  }
}

/** A link entry stands for the folder it points at. */
function followLink(entries: Map<string, LockEntry>, entry: LockEntry): LockEntry | undefined {
  if (!entry.link) return entry;
  return entry.resolved !== undefined ? entries.get(entry.resolved) : undefined;
}

export interface InventoryOptions {
  includeDev?: boolean;
  /** Read licence and author from installed packages next to the lockfile (default true). */
  readInstalled?: boolean;
}

export function buildInventory(lock: PackageLock, options: InventoryOptions = {}): Inventory {
  const includeDev = options.includeDev ?? false;
  const projectDir = dirname(lock.file);
  const readInstalled = (options.readInstalled ?? true) && existsSync(join(projectDir, 'node_modules'));
  // npm omits `dev` packages for production; `devOptional` ones stay unless optional ones are omitted too.
  const included = (entry: LockEntry) => !entry.link && (includeDev || !entry.dev);

  const packages = new Map<string, InventoryPackage>();
  const purlOfPath = new Map<string, string>();
  for (const entry of lock.entries.values()) {
    if (!included(entry)) continue;
    const purl = npmPurl(entry.name, entry.version);
    purlOfPath.set(entry.path, purl);
    const existing = packages.get(purl);
    if (existing) {
      existing.paths.push(entry.path);
      continue;
    }
    let license = entry.license;
    let supplier: string | undefined;
    if (readInstalled) {
      const manifest = readInstalledManifest(projectDir, entry.path);
      if (!license && typeof manifest?.license === 'string') license = manifest.license;
      supplier = authorName(manifest?.author);
    }
    packages.set(purl, {
      purl,
      name: entry.name,
      version: entry.version,
      paths: [entry.path],
      resolved: entry.resolved,
      hashes: integrityHashes(entry.integrity),
      license,
      supplier,
      dependsOn: new Set(),
    });
  }

  const rootEntry = lock.root;
  const root: InventoryPackage = {
    purl: npmPurl(rootEntry.name || 'project', rootEntry.version),
    name: rootEntry.name || 'project',
    version: rootEntry.version,
    paths: [''],
    hashes: new Map(),
    license: rootEntry.license,
    dependsOn: new Set(),
  };

  const addEdges = (from: LockEntry, into: InventoryPackage) => {
    const names = Object.keys(from.dependencies);
    // A root dev dependency that production also installs is still an edge (as npm ls shows it).
    if (from === rootEntry) names.push(...Object.keys(from.devDependencies));
    for (const name of names) {
      const found = resolveDependency(lock.entries, from.path, name);
      const target = found && followLink(lock.entries, found);
      if (!target) continue;
      const purl = purlOfPath.get(target.path);
      if (purl && purl !== into.purl) into.dependsOn.add(purl);
    }
  };
  addEdges(rootEntry, root);
  for (const entry of lock.entries.values()) {
    const purl = purlOfPath.get(entry.path);
    if (purl) addEdges(entry, packages.get(purl)!);
  }
  return { lockfile: lock.file, root, packages, includeDev };
}
