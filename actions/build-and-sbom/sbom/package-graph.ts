/**
 * A yarn or pnpm lockfile as a graph: every resolved package and workspace keyed as the lockfile
 * keys it, with its dependencies already resolved to other keys. Unlike npm's package-lock, these
 * lockfiles describe no install paths, so the SBOM is built from the graph alone.
 */

export type GraphFormat = 'yarn-classic' | 'yarn-berry' | 'pnpm';

export interface GraphPackage {
  /** The lockfile's key for it (workspaces: `workspace:<folder>`). */
  key: string;
  name: string;
  version?: string;
  /** Where it was fetched from, when the lockfile says (a tarball or git URL). */
  resolved?: string;
  /** Subresource Integrity string, when the lockfile holds a hash of the published archive. */
  integrity?: string;
  /** A workspace's declared licence, from its package.json. */
  license?: string;
  /** Lockfile facts kept as CycloneDX properties (name, value). */
  properties: [string, string][];
  /** Keys of what it depends on at run time (optional and resolved peer dependencies included). */
  dependencies: string[];
  /** Keys of a workspace's dev dependencies; empty for registry packages, whose are never installed. */
  devDependencies: string[];
  /** For a workspace: its folder relative to the lockfile's ('.' for the root). */
  workspace?: string;
}

export interface PackageGraph {
  format: GraphFormat;
  file: string;
  /** The lockfile's own version: "1" for yarn classic, `__metadata.version` for berry, `lockfileVersion` for pnpm. */
  formatVersion: string;
  root: GraphPackage;
  /** Every package and workspace but the root, by key. */
  packages: Map<string, GraphPackage>;
  /** False when neither the lockfile nor the manifests beside it tell dev dependencies apart: all are kept. */
  devKnown: boolean;
  /** Problems with the lockfile the SBOM works around (logged as warnings). */
  warnings: string[];
  /** How the lockfile's facts were read, where that is not obvious (logged and summarised). */
  notes: string[];
}

/** The package.json fields the lockfile parsers use. */
export interface ProjectManifest {
  name?: string;
  version?: string;
  license?: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  hasWorkspaces: boolean;
}

/** Reads the manifest of a folder given relative to the lockfile's ('.' for its own). */
export type ManifestReader = (folder: string) => ProjectManifest | undefined;

/** `@scope/name@range` → name and range (the first `@` after the scope's). */
export function splitDescriptor(descriptor: string): { name: string; range: string } {
  const at = descriptor.indexOf('@', descriptor.startsWith('@') ? 1 : 0);
  if (at <= 0) return { name: descriptor, range: '' };
  return { name: descriptor.slice(0, at), range: descriptor.slice(at + 1) };
}

/**
 * Names a workspace's manifest lists as dev dependencies only. A name also in dependencies is not
 * dev; one also in peerDependencies is (the consumer provides the peer; the workspace installs it
 * only to develop against).
 */
export function devOnlyNames(manifest: ProjectManifest): Set<string> {
  const runtime = new Set([
    ...Object.keys(manifest.dependencies),
    ...Object.keys(manifest.optionalDependencies),
  ]);
  return new Set(Object.keys(manifest.devDependencies).filter((name) => !runtime.has(name)));
}
