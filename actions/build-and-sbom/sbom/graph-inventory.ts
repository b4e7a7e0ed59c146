import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { authorName, type InstalledManifest, readInstalledManifest } from './installed-manifest.js';
import { integrityHashes } from './integrity.js';
import { type Inventory, type InventoryOptions, type InventoryPackage, npmPurl } from './inventory.js';
import type { GraphPackage, PackageGraph } from './package-graph.js';

/**
 * The inventory of a yarn or pnpm lockfile. Without dev dependencies it holds what the
 * workspaces' other dependencies reach, as `yarn workspaces focus --production` and
 * `pnpm install --prod` install; with them, every package the lockfile lists. Packages are keyed
 * by purl like npm's: an alias or a peer-dependency variant of the same name@version is one.
 */

/** Where a hoisted (yarn) or isolated (pnpm) install puts a package, when node_modules is present. */
function installedManifest(projectDir: string, pkg: GraphPackage): InstalledManifest | undefined {
  const candidates = [
    `node_modules/.pnpm/${pkg.name.replace('/', '+')}@${pkg.version}/node_modules/${pkg.name}`,
    `node_modules/${pkg.name}`,
  ];
  for (const path of candidates) {
    const manifest = readInstalledManifest(projectDir, path);
    // A hoisted copy may be another version of the same name: only an exact match counts.
    if (manifest && manifest.version === pkg.version) return manifest;
  }
  return undefined;
}

/** Keys reached from the workspaces through run-time dependencies (and dev ones of workspaces, if asked). */
function reachable(graph: PackageGraph, withDev: boolean): Set<string> {
  const workspaces = [graph.root, ...[...graph.packages.values()].filter((p) => p.workspace !== undefined)];
  const seen = new Set(workspaces.map((p) => p.key));
  const queue = workspaces.flatMap((p) => [...p.dependencies, ...(withDev ? p.devDependencies : [])]);
  while (queue.length) {
    const key = queue.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const node = graph.packages.get(key);
    if (node) queue.push(...node.dependencies);
  }
  return seen;
}

export function graphInventory(graph: PackageGraph, options: InventoryOptions = {}): Inventory {
  const includeDev = options.includeDev ?? false;
  const projectDir = dirname(graph.file);
  const readInstalled = (options.readInstalled ?? true) && existsSync(join(projectDir, 'node_modules'));
  const keep = includeDev || !graph.devKnown ? new Set(graph.packages.keys()) : reachable(graph, false);

  const toPackage = (node: GraphPackage): InventoryPackage => {
    const manifest =
      readInstalled && node.workspace === undefined ? installedManifest(projectDir, node) : undefined;
    return {
      purl: npmPurl(node.name, node.version),
      name: node.name,
      version: node.version,
      paths: node.workspace !== undefined && node.workspace !== '.' ? [node.workspace] : [],
      resolved: node.resolved,
      hashes: integrityHashes(node.integrity),
      license: node.license ?? (typeof manifest?.license === 'string' ? manifest.license : undefined),
      supplier: authorName(manifest?.author),
      dependsOn: new Set(),
      properties: [...node.properties],
    };
  };

  const packages = new Map<string, InventoryPackage>();
  const purlOf = new Map<string, string>();
  for (const node of graph.packages.values()) {
    if (!keep.has(node.key)) continue;
    const pkg = toPackage(node);
    purlOf.set(node.key, pkg.purl);
    if (!packages.has(pkg.purl)) packages.set(pkg.purl, pkg);
  }
  const root = toPackage(graph.root);

  const addEdges = (node: GraphPackage, into: InventoryPackage) => {
    // A workspace's dev dependency that production also installs is still an edge (as for npm's root).
    for (const key of [...node.dependencies, ...(node.workspace !== undefined ? node.devDependencies : [])]) {
      const purl = purlOf.get(key);
      if (purl && purl !== into.purl) into.dependsOn.add(purl);
    }
  };
  addEdges(graph.root, root);
  for (const node of graph.packages.values()) {
    const purl = purlOf.get(node.key);
    if (purl) addEdges(node, packages.get(purl)!);
  }
  return { lockfile: graph.file, root, packages, includeDev };
}
