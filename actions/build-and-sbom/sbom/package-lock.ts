import { UserError } from '../../../shared/errors.js';

/** One entry of a package-lock `packages` map (lockfileVersion 2 and 3). */
export interface LockEntry {
  /** The key: "" for the root, `node_modules/...` for installed packages, a folder for workspaces. */
  path: string;
  name: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  license?: string;
  dev: boolean;
  optional: boolean;
  devOptional: boolean;
  peer: boolean;
  link: boolean;
  dependencies: Record<string, string>;
  /** Only the root's are used: an installed package's dev dependencies are not installed. */
  devDependencies: Record<string, string>;
}

export interface PackageLock {
  format: 'npm';
  file: string;
  lockfileVersion: number;
  root: LockEntry;
  /** Every entry but the root, in file order. */
  entries: Map<string, LockEntry>;
  hasLegacyDependencies: boolean;
  /** Kept alike for every lockfile format; npm's lockfile records dev, links and hashes itself. */
  warnings: string[];
  notes: string[];
}

/** The facts a lockfile's `packages` map holds, as counted for the real-world fixtures. */
export interface LockfileFacts {
  lockfileVersion: number;
  packages_entries_incl_root: number;
  packages_entries_excl_root: number;
  dev: number;
  devOptional: number;
  optional: number;
  peer: number;
  link: number;
  nested_node_modules: number;
  'non_node_modules_keys(workspaces)': string[];
  has_legacy_dependencies_section: boolean;
}

interface RawEntry {
  name?: unknown;
  version?: unknown;
  resolved?: unknown;
  integrity?: unknown;
  license?: unknown;
  dev?: unknown;
  optional?: unknown;
  devOptional?: unknown;
  peer?: unknown;
  link?: unknown;
  dependencies?: unknown;
  optionalDependencies?: unknown;
  peerDependencies?: unknown;
  devDependencies?: unknown;
}

/** Line and column (1-based) of a character offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : text.length;
    const { line, column } = positionOf(text, offset);
    const reason = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/\s*\(line \d+ column \d+\)/, '');
    throw new UserError(`${file}:${line}:${column}: the lockfile is not valid JSON (${reason})`);
  }
}

function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(value)) if (typeof spec === 'string') out[key] = spec;
  return out;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The package name a `packages` key installs: what follows its last `node_modules/`. */
export function nameFromPath(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  return at >= 0 ? path.slice(at + 'node_modules/'.length) : (path.split('/').at(-1) ?? path);
}

function licenseOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  // Old manifests wrote { type, url }.
  if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') {
    return (value as { type: string }).type;
  }
  return undefined;
}

function toEntry(path: string, raw: RawEntry): LockEntry {
  return {
    path,
    name: optionalString(raw.name) ?? nameFromPath(path),
    version: optionalString(raw.version),
    resolved: optionalString(raw.resolved),
    integrity: optionalString(raw.integrity),
    license: licenseOf(raw.license),
    dev: raw.dev === true,
    optional: raw.optional === true,
    devOptional: raw.devOptional === true,
    peer: raw.peer === true,
    link: raw.link === true,
    // Peer dependencies are installed by npm 7+ and appear in the tree like the others.
    dependencies: {
      ...stringMap(raw.peerDependencies),
      ...stringMap(raw.optionalDependencies),
      ...stringMap(raw.dependencies),
    },
    devDependencies: stringMap(raw.devDependencies),
  };
}

/** Parses an npm package-lock.json (v2 or v3). Errors name the file and, for bad JSON, line and column. */
export function parsePackageLock(text: string, file: string): PackageLock {
  const doc = parseJson(text, file);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UserError(`${file}:1:1: expected a package-lock.json object`);
  }
  const { lockfileVersion, packages, dependencies } = doc as {
    lockfileVersion?: unknown;
    packages?: unknown;
    dependencies?: unknown;
  };
  if (typeof lockfileVersion !== 'number') {
    throw new UserError(
      `${file}: "lockfileVersion" is missing; this does not look like an npm package-lock.json`,
    );
  }
  if (!packages || typeof packages !== 'object' || Array.isArray(packages)) {
    throw new UserError(
      `${file}: lockfileVersion ${lockfileVersion} has no "packages" map; lockfileVersion 2 or 3 is needed (npm 7 or later writes it: run npm install --package-lock-only)`,
    );
  }
  const entries = new Map<string, LockEntry>();
  let root: LockEntry | undefined;
  for (const [path, raw] of Object.entries(packages as Record<string, RawEntry>)) {
    if (!raw || typeof raw !== 'object') {
      throw new UserError(`${file}: packages[${JSON.stringify(path)}] is not an object`);
    }
    const entry = toEntry(path, raw);
    if (path === '') root = entry;
    else entries.set(path, entry);
  }
  return {
    format: 'npm',
    file,
    lockfileVersion,
    root: root ?? toEntry('', {}),
    entries,
    hasLegacyDependencies: dependencies !== undefined,
    warnings: [],
    notes: [],
  };
}

export function lockfileFacts(lock: PackageLock): LockfileFacts {
  let dev = 0;
  let devOptional = 0;
  let optional = 0;
  let peer = 0;
  let link = 0;
  let nested = 0;
  const workspaces: string[] = [];
  for (const entry of lock.entries.values()) {
    if (entry.dev) dev++;
    if (entry.devOptional) devOptional++;
    if (entry.optional) optional++;
    if (entry.peer) peer++;
    if (entry.link) link++;
    if (entry.path.indexOf('node_modules/') !== entry.path.lastIndexOf('node_modules/')) nested++;
    if (!entry.path.startsWith('node_modules/')) workspaces.push(entry.path);
  }
  return {
    lockfileVersion: lock.lockfileVersion,
    packages_entries_incl_root: lock.entries.size + 1,
    packages_entries_excl_root: lock.entries.size,
    dev,
    devOptional,
    optional,
    peer,
    link,
    nested_node_modules: nested,
    'non_node_modules_keys(workspaces)': workspaces,
    has_legacy_dependencies_section: lock.hasLegacyDependencies,
  };
}
