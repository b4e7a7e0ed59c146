import { UserError } from '../../../shared/errors.js';
import {
  devOnlyNames,
  type GraphPackage,
  type ManifestReader,
  type PackageGraph,
  splitDescriptor,
} from './package-graph.js';

/**
 * yarn.lock as yarn 1 writes it ("# yarn lockfile v1"): not YAML but yarn's own indented format.
 *
 *   "@scope/a@^1.0.0", "@scope/a@^1.1.0":
 *     version "1.2.0"
 *     resolved "https://registry.yarnpkg.com/@scope/a/-/a-1.2.0.tgz#<sha1>"
 *     integrity sha512-...
 *     dependencies:
 *       b "^2.0.0"
 *
 * The lockfile marks nothing as dev and lists no workspaces, so the project's package.json says
 * which direct dependencies are dev ones; with workspaces (whose manifests would be needed too)
 * or without a package.json, every package is kept.
 */

type Value = string | Fields;
interface Fields {
  [key: string]: Value;
}

interface Block {
  descriptors: string[];
  line: number;
  fields: Fields;
}

class Syntax {
  constructor(
    private readonly file: string,
    readonly line: number,
  ) {}
  fail(column: number, message: string): never {
    throw new UserError(`${this.file}:${this.line}:${column}: yarn.lock ${message}`);
  }
}

/** One token: a JSON-quoted string or a bare word ending at whitespace (or, in a key list, a comma). */
function readToken(text: string, start: number, at: Syntax, stops: RegExp): { value: string; end: number } {
  if (text[start] === '"') {
    let i = start + 1;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) at.fail(start + 1, 'has a string that is not closed');
    try {
      return { value: JSON.parse(text.slice(start, i + 1)) as string, end: i + 1 };
    } catch {
      at.fail(start + 1, 'has a string with an invalid escape');
    }
  }
  let end = start;
  while (end < text.length && !stops.test(text[end]!)) end++;
  if (end === start) at.fail(start + 1, 'expected a name or a quoted string');
  return { value: text.slice(start, end), end };
}

/** The keys of a `a@^1, "b@^2":` line, read from `start` (the line without its colon). */
function readKeys(text: string, start: number, at: Syntax): string[] {
  const keys: string[] = [];
  let i = start;
  for (;;) {
    const token = readToken(text, i, at, /[,\s]/);
    keys.push(token.value);
    i = token.end;
    if (i >= text.length) return keys;
    const comma = /^,\s*/.exec(text.slice(i));
    if (!comma) at.fail(i + 1, `expected "," or ":" after ${JSON.stringify(token.value)}`);
    i += comma[0].length;
  }
}

export function parseYarnClassicBlocks(text: string, file: string): Block[] {
  const blocks: Block[] = [];
  const seen = new Set<string>();
  const stack: { indent: number; fields: Fields }[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const at: Syntax = new Syntax(file, index + 1);
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    if (/^(<{7}|={7}|>{7})/.test(raw)) at.fail(1, 'has an unresolved merge conflict marker');
    const indent = /^ */.exec(raw)![0].length;
    if (raw[indent] === '\t') at.fail(indent + 1, 'is indented with a tab');
    if (indent % 2) at.fail(indent + 1, 'is indented by an odd number of spaces');
    while (stack.length && stack.at(-1)!.indent >= indent) stack.pop();
    const parentIndent = stack.length ? stack.at(-1)!.indent : -2;
    if (indent !== parentIndent + 2) at.fail(indent + 1, 'is indented deeper than the line above allows');
    // Tokens are read from the whole line, so every position is its column.
    const content = raw.trimEnd();

    if (content.endsWith(':')) {
      const keys = readKeys(content.slice(0, -1), indent, at);
      const fields: Fields = {};
      if (indent === 0) {
        for (const key of keys) {
          if (seen.has(key)) at.fail(1, `lists ${JSON.stringify(key)} twice`);
          seen.add(key);
        }
        blocks.push({ descriptors: keys, line: index + 1, fields });
      } else {
        for (const key of keys) stack.at(-1)!.fields[key] = fields;
      }
      stack.push({ indent, fields });
      continue;
    }
    if (indent === 0) at.fail(1, 'expected an entry such as "name@^1.0.0:" here');
    const key = readToken(content, indent, at, /\s/);
    const gap = /^\s+/.exec(content.slice(key.end));
    if (!gap) at.fail(key.end + 1, `expected a value after ${JSON.stringify(key.value)}`);
    const value = readToken(content, key.end + gap[0].length, at, /\s/);
    if (value.end !== content.length) {
      const extra = value.end + /^\s*/.exec(content.slice(value.end))![0].length;
      at.fail(extra + 1, 'has more than one value on a line');
    }
    stack.at(-1)!.fields[key.value] = value.value;
  }
  return blocks;
}

function field(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' && value ? value : undefined;
}

function dependencyRefs(fields: Fields, key: string): [string, string][] {
  const value = fields[key];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
}

/** The package a descriptor installs: `alias@npm:real@^1` installs `real`. */
function packageName(descriptor: string): string {
  const { name, range } = splitDescriptor(descriptor);
  return range.startsWith('npm:') && range.lastIndexOf('@') > 'npm:'.length
    ? splitDescriptor(range.slice('npm:'.length)).name
    : name;
}

/**
 * Integrity, plus the SHA-1 of the tarball yarn 1 appends to an http(s) `resolved` as `#<hex>` (the
 * only hash in old lockfiles). A git URL's fragment is a commit, not a hash of anything published.
 */
const TARBALL_SHA1 = /^https?:\/\/[^#]+#([0-9a-f]{40})$/;

function hashesOf(resolved: string | undefined, integrity: string | undefined): string | undefined {
  const sha1 = resolved && TARBALL_SHA1.exec(resolved)?.[1];
  if (!sha1 || integrity?.includes('sha1-')) return integrity;
  return [integrity, `sha1-${Buffer.from(sha1, 'hex').toString('base64')}`].filter(Boolean).join(' ');
}

export function parseYarnClassicLock(text: string, file: string, readManifest: ManifestReader): PackageGraph {
  const blocks = parseYarnClassicBlocks(text, file);
  const packages = new Map<string, GraphPackage>();
  const byDescriptor = new Map<string, string>();
  const rawDependencies = new Map<string, [string, string][]>();
  for (const block of blocks) {
    const key = block.descriptors[0]!;
    const resolved = field(block.fields, 'resolved');
    packages.set(key, {
      key,
      name: packageName(key),
      version: field(block.fields, 'version'),
      resolved: resolved && TARBALL_SHA1.test(resolved) ? resolved.replace(/#[0-9a-f]{40}$/, '') : resolved,
      integrity: hashesOf(resolved, field(block.fields, 'integrity')),
      properties: [],
      dependencies: [],
      devDependencies: [],
    });
    for (const descriptor of block.descriptors) byDescriptor.set(descriptor, key);
    rawDependencies.set(key, [
      ...dependencyRefs(block.fields, 'dependencies'),
      ...dependencyRefs(block.fields, 'optionalDependencies'),
    ]);
  }

  const unresolved: string[] = [];
  const resolveAll = (refs: [string, string][]) =>
    refs.flatMap(([name, range]) => {
      const key = byDescriptor.get(`${name}@${range}`);
      if (!key) unresolved.push(`${name}@${range}`);
      return key ? [key] : [];
    });
  const depended = new Set<string>();
  for (const [key, refs] of rawDependencies) {
    const node = packages.get(key)!;
    node.dependencies = resolveAll(refs);
    for (const target of node.dependencies) depended.add(target);
  }

  const manifest = readManifest('.');
  const root: GraphPackage = {
    key: 'workspace:.',
    name: manifest?.name ?? 'project',
    version: manifest?.version,
    license: manifest?.license,
    properties: [],
    dependencies: [],
    devDependencies: [],
    workspace: '.',
  };
  const warnings: string[] = [];
  let devKnown = false;
  if (manifest) {
    const devOnly = devOnlyNames(manifest);
    const direct = [
      ...Object.entries(manifest.dependencies),
      ...Object.entries(manifest.optionalDependencies),
      ...Object.entries(manifest.devDependencies),
    ];
    // A workspace sibling is linked, not locked: it has no entry and is not a missing one.
    const resolvable = direct.filter(([, range]) => !/^(workspace|link|file|portal):/.test(range));
    const keys = (dev: boolean) =>
      resolveAll(resolvable.filter(([name]) => devOnly.has(name) === dev)).filter(
        (key, index, all) => all.indexOf(key) === index,
      );
    root.dependencies = keys(false);
    root.devDependencies = keys(true);
    devKnown = !manifest.hasWorkspaces;
    if (manifest.hasWorkspaces) {
      warnings.push(
        `${file}: yarn 1 does not lock workspaces, so their dev dependencies cannot be told apart; all packages are listed`,
      );
    }
  } else {
    // Without a manifest, the packages nothing else depends on are the project's direct dependencies.
    root.dependencies = [...packages.keys()].filter((key) => !depended.has(key));
    warnings.push(
      `${file}: no package.json beside the lockfile, so dev dependencies cannot be told apart; all packages are listed`,
    );
  }
  if (unresolved.length) {
    warnings.push(
      `${file}: ${unresolved.length} dependency range(s) match no entry in the lockfile (first: ${unresolved.slice(0, 3).join(', ')}); run yarn install to bring it up to date`,
    );
  }
  return {
    format: 'yarn-classic',
    file,
    formatVersion: '1',
    root,
    packages,
    devKnown,
    warnings,
    notes: [],
  };
}
