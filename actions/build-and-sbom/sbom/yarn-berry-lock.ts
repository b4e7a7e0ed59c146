import { UserError } from '../../../shared/errors.js';
import {
  devOnlyNames,
  type GraphPackage,
  type ManifestReader,
  type PackageGraph,
  splitDescriptor,
} from './package-graph.js';
import { asMap, parseYamlLockfile, stringEntries } from './yaml-lockfile.js';

/**
 * yarn.lock as yarn 2 and later write it (`__metadata` at the top; YAML). Each entry is keyed by
 * the descriptors it satisfies (`name@npm:^1.2.0, name@npm:^1.3.0`) and names its `resolution`;
 * dependencies are descriptors again. Workspaces are entries too (`name@workspace:<folder>`), but
 * their dev dependencies are merged into `dependencies`, so each workspace's package.json is
 * read to tell them apart.
 *
 * `checksum` is the SHA-512 of the zip archive yarn keeps in its cache (prefixed with the cache
 * key from yarn 4), not of the tarball the registry publishes: it cannot be checked against the
 * package, so it is kept as a property and not reported as the component's hash.
 */

export const CHECKSUM_PROPERTY = 'deploy-actions:yarn:checksum';

/** Descriptors without a protocol use npm's (yarn 2 and 3 wrote `^1.0.0` where yarn 4 writes `npm:^1.0.0`). */
function normalizeDescriptor(descriptor: string): string {
  const { name, range } = splitDescriptor(descriptor);
  return /^[a-z][a-z0-9+.-]*:/i.test(range) ? descriptor : `${name}@npm:${range}`;
}

/** The descriptor a `patch:` range patches: `fsevents@patch:fsevents@npm%3A~2.3.2#...` → `fsevents@npm:~2.3.2`. */
function patchedDescriptor(range: string): string | undefined {
  if (!range.startsWith('patch:')) return undefined;
  const hash = range.indexOf('#');
  try {
    return decodeURIComponent(range.slice('patch:'.length, hash >= 0 ? hash : undefined));
  } catch {
    return undefined;
  }
}

/** Where a non-registry resolution was fetched from (tarball URL or git). */
function resolvedFrom(range: string): string | undefined {
  const match = /^(https?:\/\/|git\+|git:|github:)/.exec(range);
  return match ? range : undefined;
}

export function parseYarnBerryLock(text: string, file: string, readManifest: ManifestReader): PackageGraph {
  const lock = parseYamlLockfile(text, file, 'yarn.lock');
  const doc = asMap(lock.data);
  const metadata = asMap(doc?.__metadata);
  if (!doc || !metadata || typeof metadata.version !== 'string') {
    throw new UserError(
      `${lock.where(['__metadata'])}: "__metadata.version" is missing; this does not look like a yarn 2+ lockfile`,
    );
  }

  const byResolution = new Map<string, GraphPackage>();
  const byDescriptor = new Map<string, string>();
  const rawDependencies = new Map<string, [string, string][]>();
  const patches: { descriptor: string; resolution: string }[] = [];
  let checksums = 0;
  for (const [key, value] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    const entry = asMap(value);
    if (!entry) throw new UserError(`${lock.where([key])}: entry "${key}" is not a mapping`);
    const resolution = entry.resolution;
    if (typeof resolution !== 'string' || !resolution) {
      throw new UserError(`${lock.where([key])}: entry "${key}" has no "resolution"`);
    }
    const { name, range } = splitDescriptor(resolution);
    if (!name || !range) {
      throw new UserError(
        `${lock.where([key, 'resolution'])}: cannot read a package name from "${resolution}"`,
      );
    }
    let node = byResolution.get(resolution);
    if (!node) {
      const checksum = typeof entry.checksum === 'string' ? entry.checksum : undefined;
      if (checksum) checksums++;
      node = {
        key: resolution,
        name,
        version: typeof entry.version === 'string' ? entry.version : undefined,
        resolved: resolvedFrom(range),
        properties: checksum ? [[CHECKSUM_PROPERTY, checksum]] : [],
        dependencies: [],
        devDependencies: [],
        ...(range.startsWith('workspace:') ? { workspace: range.slice('workspace:'.length) } : {}),
      };
      byResolution.set(resolution, node);
      rawDependencies.set(resolution, [
        ...stringEntries(entry.dependencies),
        ...stringEntries(entry.optionalDependencies),
      ]);
    }
    for (const descriptor of key.split(/\s*,\s*/)) {
      byDescriptor.set(normalizeDescriptor(descriptor), resolution);
      const patched = patchedDescriptor(splitDescriptor(descriptor).range);
      if (patched) patches.push({ descriptor: normalizeDescriptor(patched), resolution });
    }
  }

  const unresolved: string[] = [];
  const resolve = (name: string, range: string) => {
    const descriptor = normalizeDescriptor(`${name}@${range}`);
    const found = byDescriptor.get(descriptor);
    if (!found) unresolved.push(descriptor);
    return found;
  };
  for (const [resolution, refs] of rawDependencies) {
    byResolution.get(resolution)!.dependencies = refs.flatMap(([name, range]) => {
      const key = resolve(name, range);
      return key ? [key] : [];
    });
  }
  // yarn applies its built-in compatibility patches (fsevents, typescript, resolve) in place of the
  // package a dependency names: the patched entry is what gets installed, so it is reached through it.
  for (const patch of patches) {
    const base = byDescriptor.get(patch.descriptor);
    if (base && base !== patch.resolution) byResolution.get(base)!.dependencies.push(patch.resolution);
  }

  let devKnown = true;
  const notes: string[] = [];
  const warnings: string[] = [];
  for (const node of byResolution.values()) {
    if (node.workspace === undefined) continue;
    const manifest = readManifest(node.workspace);
    // yarn writes 0.0.0-use.local for a workspace; its package.json holds the real version.
    node.version = manifest?.version;
    node.license = manifest?.license;
    if (!manifest) {
      devKnown = false;
      continue;
    }
    const devOnly = devOnlyNames(manifest);
    const refs = rawDependencies.get(node.key) ?? [];
    const devKeys = new Set(
      refs
        .filter(([name]) => devOnly.has(name))
        .map(([name, range]) => byDescriptor.get(normalizeDescriptor(`${name}@${range}`))),
    );
    node.devDependencies = node.dependencies.filter((key) => devKeys.has(key));
    node.dependencies = node.dependencies.filter((key) => !devKeys.has(key));
  }
  const root = [...byResolution.values()].find((node) => node.workspace === '.');
  if (!root) {
    throw new UserError(
      `${file}: no entry resolves to "workspace:." (the project itself); this does not look like a yarn 2+ lockfile`,
    );
  }
  byResolution.delete(root.key);

  if (!devKnown) {
    warnings.push(
      `${file}: a workspace's package.json is missing beside the lockfile, so dev dependencies cannot be told apart; all packages are listed`,
    );
  }
  if (unresolved.length) {
    warnings.push(
      `${file}: ${unresolved.length} dependency descriptor(s) match no entry in the lockfile (first: ${unresolved.slice(0, 3).join(', ')}); run yarn install to bring it up to date`,
    );
  }
  if (checksums) {
    notes.push(
      `${file}: yarn's checksums hash its cache archives, not the published packages, so they are kept as the property ${CHECKSUM_PROPERTY} and not reported as hashes`,
    );
  }
  return {
    format: 'yarn-berry',
    file,
    formatVersion: metadata.version,
    root,
    packages: byResolution,
    devKnown,
    warnings,
    notes,
  };
}
