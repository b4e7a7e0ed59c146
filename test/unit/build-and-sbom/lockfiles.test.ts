import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { findLockfile } from '../../../actions/build-and-sbom/lockfile-path.js';
import { generateSboms } from '../../../actions/build-and-sbom/sbom/generate.js';
import { integrityHashes } from '../../../actions/build-and-sbom/sbom/integrity.js';
import { type Inventory, npmPurl } from '../../../actions/build-and-sbom/sbom/inventory.js';
import {
  type Lockfile,
  loadLockfile,
  lockfileFormat,
} from '../../../actions/build-and-sbom/sbom/load-lockfile.js';
import { lockfileInventory } from '../../../actions/build-and-sbom/sbom/lockfile-inventory.js';
import { parsePnpmLock } from '../../../actions/build-and-sbom/sbom/pnpm-lock.js';
import {
  CHECKSUM_PROPERTY,
  parseYarnBerryLock,
} from '../../../actions/build-and-sbom/sbom/yarn-berry-lock.js';
import { parseYarnClassicLock } from '../../../actions/build-and-sbom/sbom/yarn-classic-lock.js';
import { repoRoot } from '../../support/harness.js';

/**
 * The fixtures were written by the package managers themselves from one package.json (see
 * test/fixtures/lockfiles/README.md); production-install.txt beside each lists every name@version
 * that the same tool installed in production mode from that lockfile. Those lists, and the marks
 * pnpm 8 writes itself, are what the inventories are checked against.
 */
const FIXTURES = join(repoRoot, 'test/fixtures/lockfiles');
const SINGLE = {
  'yarn-classic': join(FIXTURES, 'yarn-classic/yarn.lock'),
  'yarn-berry-v4': join(FIXTURES, 'yarn-berry-v4/yarn.lock'),
  'yarn-berry-v3': join(FIXTURES, 'yarn-berry-v3/yarn.lock'),
  'pnpm-v6': join(FIXTURES, 'pnpm-v6/pnpm-lock.yaml'),
  'pnpm-v9': join(FIXTURES, 'pnpm-v9/pnpm-lock.yaml'),
} as const;
const noManifest = () => undefined;

/** name@version lines (a scoped name keeps its leading @) as purls. */
function installedPurls(fixture: string): Set<string> {
  const lines = readFileSync(join(FIXTURES, fixture, 'production-install.txt'), 'utf8')
    .trim()
    .split('\n');
  return new Set(
    lines.map((line) => {
      const at = line.lastIndexOf('@');
      return npmPurl(line.slice(0, at), line.slice(at + 1));
    }),
  );
}

function inventory(path: string, includeDev = false): Inventory {
  return lockfileInventory(loadLockfile(path), { includeDev, readInstalled: false });
}

const sorted = (values: Iterable<string>) => [...values].sort();

/** Every package's dependencies as purls, for comparing graphs across lockfile formats. */
function edges(inv: Inventory): Record<string, string[]> {
  return Object.fromEntries(
    [inv.root, ...inv.packages.values()].map((pkg) => [pkg.purl, sorted(pkg.dependsOn)]),
  );
}

describe('yarn and pnpm lockfiles: production packages as the package managers install them', () => {
  for (const [name, path] of Object.entries(SINGLE)) {
    it(`${name}: the 111 packages a production install holds`, () => {
      // yarn 3 resolved exactly what yarn 4 did; its production install is the yarn 4 one.
      const expected = installedPurls(name === 'yarn-berry-v3' ? 'yarn-berry-v4' : name);
      expect(expected.size).toBe(111);
      // Every dependency the lockfile names resolves to one of its entries.
      expect(loadLockfile(path).warnings).toEqual([]);
      const inv = inventory(path);
      expect(sorted(inv.packages.keys())).toEqual(sorted(expected));
      expect(inv.root.purl).toBe('pkg:npm/patient-portal@2.4.0');
      expect(inv.root.license).toBe('Apache-2.0');
      expect(sorted(inv.root.dependsOn)).toEqual([
        'pkg:npm/express@4.22.3',
        'pkg:npm/glob@10.5.0',
        'pkg:npm/react-dom@18.3.1',
        'pkg:npm/react@18.3.1',
      ]);
    });
  }

  it('agrees with the dev marks pnpm 8 writes in lockfile v6', () => {
    const doc = parseYaml(readFileSync(SINGLE['pnpm-v6'], 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const all = Object.keys(doc.packages);
    const devOnly = all.filter((key) => doc.packages[key]!.dev === true);
    expect([all.length, devOnly.length]).toEqual([153, 42]);
    const toPurl = (key: string) => {
      const bare = key.replace(/\(.*$/, '');
      const at = bare.lastIndexOf('@');
      return npmPurl(bare.slice(1, at), bare.slice(at + 1));
    };
    const production = new Set(all.filter((key) => !devOnly.includes(key)).map(toPurl));
    expect(sorted(inventory(SINGLE['pnpm-v6']).packages.keys())).toEqual(sorted(production));
    expect(sorted(inventory(SINGLE['pnpm-v6'], true).packages.keys())).toEqual(
      sorted(new Set(all.map(toPurl))),
    );
  });

  it('builds the same dependency graph from all five lockfiles, but for the peer pnpm resolves', () => {
    const pnpm = edges(inventory(SINGLE['pnpm-v9']));
    expect(pnpm['pkg:npm/express@4.22.3']).toContain('pkg:npm/body-parser@1.20.9');
    expect(pnpm['pkg:npm/react-dom@18.3.1']).toEqual([
      'pkg:npm/loose-envify@1.4.0',
      'pkg:npm/react@18.3.1',
      'pkg:npm/scheduler@0.23.2',
    ]);
    expect(edges(inventory(SINGLE['pnpm-v6']))).toEqual(pnpm);
    // yarn records peer dependencies unresolved (berry) or not at all (yarn 1): react-dom's peer
    // react is the only one in this tree, and the only edge yarn's graph lacks.
    const yarn = edges(inventory(SINGLE['yarn-classic']));
    expect(yarn).toEqual({
      ...pnpm,
      'pkg:npm/react-dom@18.3.1': ['pkg:npm/loose-envify@1.4.0', 'pkg:npm/scheduler@0.23.2'],
    });
    expect(edges(inventory(SINGLE['yarn-berry-v4']))).toEqual(yarn);
    expect(edges(inventory(SINGLE['yarn-berry-v3']))).toEqual(yarn);
  });

  it('lists every locked package with include-dev, dev-only ones too', () => {
    const pnpm = sorted(inventory(SINGLE['pnpm-v9'], true).packages.keys());
    expect(pnpm).toHaveLength(153);
    expect(pnpm).toContain('pkg:npm/typescript@5.9.3');
    expect(pnpm).toContain('pkg:npm/%40types/express@4.17.25');
    expect(sorted(inventory(SINGLE['yarn-classic'], true).packages.keys())).toEqual(pnpm);
    // yarn 2+ also locks node-gyp, which its built-in fsevents patch depends on.
    const berry = sorted(inventory(SINGLE['yarn-berry-v4'], true).packages.keys());
    expect(berry).toEqual(expect.arrayContaining(pnpm));
    const extras = berry.filter((purl) => !pnpm.includes(purl));
    expect(extras).toContain('pkg:npm/node-gyp@13.1.0');
    expect(extras.filter((purl) => inventory(SINGLE['yarn-berry-v4']).packages.has(purl))).toEqual([]);
  });

  it('names an alias by the package it installs (string-width-cjs is string-width)', () => {
    for (const path of Object.values(SINGLE)) {
      const inv = inventory(path);
      expect(inv.packages.has('pkg:npm/string-width@4.2.3')).toBe(true);
      expect([...inv.packages.keys()].some((purl) => purl.includes('-cjs'))).toBe(false);
      expect(inv.packages.get('pkg:npm/%40isaacs/cliui@8.0.2')!.dependsOn).toContain(
        'pkg:npm/string-width@4.2.3',
      );
    }
  });
});

describe('hashes', () => {
  const sha512Of = (integrity: string) => integrityHashes(integrity).get('SHA-512');
  const expressIntegrity = () => {
    const doc = parseYaml(readFileSync(SINGLE['pnpm-v9'], 'utf8')) as {
      packages: Record<string, { resolution: { integrity: string } }>;
    };
    return doc.packages['express@4.22.3']!.resolution.integrity;
  };

  it('pnpm: SHA-512 from each resolution integrity', () => {
    const express = inventory(SINGLE['pnpm-v9']).packages.get('pkg:npm/express@4.22.3')!;
    expect(express.hashes.get('SHA-512')).toBe(sha512Of(expressIntegrity()));
    expect([...inventory(SINGLE['pnpm-v6']).packages.values()].every((p) => p.hashes.has('SHA-512'))).toBe(
      true,
    );
  });

  it('yarn 1: SHA-512 from integrity and SHA-1 from the #fragment of resolved', () => {
    const inv = inventory(SINGLE['yarn-classic']);
    const express = inv.packages.get('pkg:npm/express@4.22.3')!;
    expect(express.hashes.get('SHA-512')).toBe(sha512Of(expressIntegrity()));
    const text = readFileSync(SINGLE['yarn-classic'], 'utf8');
    const fragment = /express-4\.22\.3\.tgz#([0-9a-f]{40})/.exec(text)![1];
    expect(express.hashes.get('SHA-1')).toBe(fragment);
    expect(express.resolved).toBe('https://registry.npmjs.org/express/-/express-4.22.3.tgz');
    expect([...inv.packages.values()].every((p) => p.hashes.size === 2)).toBe(true);
  });

  it('yarn 1 without integrity (old lockfiles): the SHA-1 of resolved alone', () => {
    const graph = parseYarnClassicLock(
      '# yarn lockfile v1\n\n\nleft-pad@^1.3.0:\n  version "1.3.0"\n  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#5b8a3a7765dfe001261dde915589e782f8c94d1e"\n',
      'yarn.lock',
      noManifest,
    );
    const inv = lockfileInventory(graph, { readInstalled: false });
    expect([...inv.packages.values()][0]!.hashes).toEqual(
      new Map([['SHA-1', '5b8a3a7765dfe001261dde915589e782f8c94d1e']]),
    );
  });

  it('yarn 2+: the cache checksum is kept as a property, not as a hash', () => {
    const lock = loadLockfile(SINGLE['yarn-berry-v4']);
    expect(lock.notes.join()).toMatch(/cache archives, not the published packages/);
    const express = inventory(SINGLE['yarn-berry-v4']).packages.get('pkg:npm/express@4.22.3')!;
    expect(express.hashes.size).toBe(0);
    expect(express.properties).toEqual([[CHECKSUM_PROPERTY, expect.stringMatching(/^10c0\/[0-9a-f]{128}$/)]]);
    const v3 = inventory(SINGLE['yarn-berry-v3']).packages.get('pkg:npm/express@4.22.3')!;
    expect(v3.properties).toEqual([[CHECKSUM_PROPERTY, expect.stringMatching(/^[0-9a-f]{128}$/)]]);
  });
});

describe('workspaces', () => {
  for (const fixture of ['pnpm-v9-workspace', 'yarn-berry-workspace']) {
    it(`${fixture}: every workspace's production dependencies, the workspaces as components`, () => {
      const file = join(FIXTURES, fixture, fixture.startsWith('pnpm') ? 'pnpm-lock.yaml' : 'yarn.lock');
      expect(loadLockfile(file).warnings).toEqual([]);
      const inv = inventory(file);
      const api = 'pkg:npm/%40portal/api@1.3.0';
      const shared = 'pkg:npm/%40portal/shared@1.1.0';
      expect(sorted(inv.packages.keys())).toEqual(sorted([...installedPurls(fixture), api, shared]));
      expect(inv.root.purl).toBe('pkg:npm/portal-monorepo@0.0.0');
      expect(sorted(inv.packages.get(api)!.dependsOn)).toEqual([shared, 'pkg:npm/express@4.22.3']);
      expect(sorted(inv.packages.get(shared)!.dependsOn)).toEqual(['pkg:npm/semver@7.8.6']);
      expect(inv.packages.get(api)!.paths).toEqual(['packages/api']);
      const withDev = inventory(file, true);
      expect(withDev.packages.has('pkg:npm/typescript@5.9.3')).toBe(true);
      expect(withDev.packages.get(api)!.dependsOn).toContain('pkg:npm/%40types/express@4.17.25');
    });
  }
});

describe('packages from git and tarballs', () => {
  const only = (graph: Parameters<typeof lockfileInventory>[0]) => [
    ...lockfileInventory(graph, { readInstalled: false }).packages.values(),
  ];

  it('pnpm 9: a GitHub dependency keyed by its tarball URL, with the version from its entry', () => {
    const url = 'https://codeload.github.com/lodash/lodash/tar.gz/f299b52f39486275a9e6483b60a410e06520c538';
    const graph = parsePnpmLock(
      `lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      lodash:\n        specifier: github:lodash/lodash#4.17.21\n        version: ${url}\n\npackages:\n\n  lodash@${url}:\n    resolution: {tarball: ${url}}\n    version: 4.17.21\n\nsnapshots:\n\n  lodash@${url}: {}\n`,
      'pnpm-lock.yaml',
      noManifest,
    );
    expect(graph.warnings).toEqual([]);
    const [lodash] = only(graph);
    expect(lodash).toMatchObject({ purl: 'pkg:npm/lodash@4.17.21', resolved: url });
    expect(lodash!.hashes.size).toBe(0);
  });

  it('pnpm 8: a git dependency keyed by host path, named by its entry', () => {
    const graph = parsePnpmLock(
      "lockfileVersion: '6.0'\n\ndependencies:\n  repo-pkg:\n    specifier: github:user/repo\n    version: github.com/user/repo/abc123\n\npackages:\n\n  github.com/user/repo/abc123:\n    resolution: {tarball: https://codeload.github.com/user/repo/tar.gz/abc123}\n    name: repo-pkg\n    version: 1.0.0\n    dev: false\n",
      'pnpm-lock.yaml',
      noManifest,
    );
    expect(only(graph).map((p) => p.purl)).toEqual(['pkg:npm/repo-pkg@1.0.0']);
  });

  it('pnpm 10: the project document after the one pnpm writes for its own installation', () => {
    const graph = parsePnpmLock(
      "---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    packageManagerDependencies:\n      pnpm:\n        specifier: 10.0.0\n        version: 10.0.0\n\npackages:\n\n  pnpm@10.0.0:\n    resolution: {integrity: sha512-AAAA}\n\nsnapshots:\n\n  pnpm@10.0.0: {}\n\n---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      ms:\n        specifier: ^2.1.3\n        version: 2.1.3\n\npackages:\n\n  ms@2.1.3:\n    resolution: {integrity: sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==}\n\nsnapshots:\n\n  ms@2.1.3: {}\n",
      'pnpm-lock.yaml',
      noManifest,
    );
    expect(only(graph).map((p) => p.purl)).toEqual(['pkg:npm/ms@2.1.3']);
  });

  it("yarn 1: a git URL's fragment is a commit, not a hash", () => {
    const graph = parseYarnClassicLock(
      '"repo-pkg@git+https://github.com/user/repo.git#v1.0.0":\n  version "1.0.0"\n  resolved "git+https://github.com/user/repo.git#0123456789abcdef0123456789abcdef01234567"\n',
      'yarn.lock',
      noManifest,
    );
    const [pkg] = only(graph);
    expect(pkg!.hashes.size).toBe(0);
    expect(pkg!.resolved).toBe(
      'git+https://github.com/user/repo.git#0123456789abcdef0123456789abcdef01234567',
    );
  });
});

describe('when the lockfile cannot tell dev dependencies apart', () => {
  it('yarn 1 without a package.json beside it keeps every package and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yarn-no-manifest-'));
    copyFileSync(SINGLE['yarn-classic'], join(dir, 'yarn.lock'));
    const lock = loadLockfile(join(dir, 'yarn.lock'));
    expect(lock.warnings.join()).toMatch(/no package\.json beside the lockfile.*all packages are listed/);
    const inv = lockfileInventory(lock, { readInstalled: false });
    expect(inv.packages.size).toBe(153);
    // The top of the graph: what nothing else depends on.
    expect(inv.root.dependsOn).toContain('pkg:npm/express@4.22.3');
    expect(inv.root.dependsOn).toContain('pkg:npm/nodemon@3.1.14');
  });

  it("yarn 2+ without the workspace's package.json keeps every package and says so", () => {
    const dir = mkdtempSync(join(tmpdir(), 'berry-no-manifest-'));
    copyFileSync(SINGLE['yarn-berry-v4'], join(dir, 'yarn.lock'));
    const lock = loadLockfile(join(dir, 'yarn.lock'));
    expect(lock.warnings.join()).toMatch(/package\.json is missing.*all packages are listed/);
    const inv = lockfileInventory(lock, { readInstalled: false });
    expect(inv.packages.size).toBe(inventory(SINGLE['yarn-berry-v4'], true).packages.size);
    expect(inv.root.purl).toBe('pkg:npm/patient-portal');
  });

  it('yarn 1 with workspaces keeps every package and says so', () => {
    const graph = parseYarnClassicLock('left-pad@^1.3.0:\n  version "1.3.0"\n', 'yarn.lock', () => ({
      dependencies: { 'left-pad': '^1.3.0' },
      devDependencies: {},
      optionalDependencies: {},
      hasWorkspaces: true,
    }));
    expect(graph.devKnown).toBe(false);
    expect(graph.warnings.join()).toMatch(/does not lock workspaces/);
  });
});

describe('malformed lockfiles name file, line and column', () => {
  const classic = (text: string) => () => parseYarnClassicLock(text, 'yarn.lock', noManifest);
  const berry = (text: string) => () => parseYarnBerryLock(text, 'yarn.lock', noManifest);
  const pnpm = (text: string) => () => parsePnpmLock(text, 'pnpm-lock.yaml', noManifest);

  it('yarn 1', () => {
    expect(classic('a@^1:\n  version "1.0.0\n')).toThrow(
      /^yarn\.lock:2:11: yarn\.lock has a string that is not closed/,
    );
    expect(classic('a@^1:\n   version "1.0.0"\n')).toThrow(
      /^yarn\.lock:2:4: yarn\.lock is indented by an odd number/,
    );
    expect(classic('a@^1:\n  version "1"\n<<<<<<< HEAD\n')).toThrow(
      /^yarn\.lock:3:1: .*merge conflict marker/,
    );
    expect(classic('a@^1:\n  version "1" extra\n')).toThrow(
      /^yarn\.lock:2:15: yarn\.lock has more than one value/,
    );
    expect(classic('a@^1:\n  version "1"\na@^1:\n  version "2"\n')).toThrow(
      /^yarn\.lock:3:1: .*lists "a@\^1" twice/,
    );
    expect(classic('version "1"\n')).toThrow(/^yarn\.lock:1:1: yarn\.lock expected an entry/);
  });

  it('yarn 2+', () => {
    expect(berry('__metadata:\n  version: 8\n"a@npm:^1":\n  version: [1\n')).toThrow(
      /^yarn\.lock:5:1: yarn\.lock is not valid YAML/,
    );
    expect(berry('__metadata:\n  version: 8\n\n"a@npm:^1":\n  version: 1.0.0\n')).toThrow(
      /^yarn\.lock:4:1: entry "a@npm:\^1" has no "resolution"/,
    );
    expect(berry('__metadata:\n  version: 8\n"a@npm:^1":\n  resolution: "a@npm:1.0.0"\n')).toThrow(
      /^yarn\.lock: no entry resolves to "workspace:\."/,
    );
  });

  it('pnpm', () => {
    expect(pnpm("lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: x\n")).toThrow(
      /^pnpm-lock\.yaml:\d+:\d+: pnpm-lock\.yaml is not valid YAML/,
    );
    expect(pnpm('lockfileVersion: 5.4\n')).toThrow(
      /^pnpm-lock\.yaml:1:1: pnpm lockfileVersion 5\.4 is not supported; 6\.x \(pnpm 8\) and 9\.x/,
    );
    expect(pnpm("lockfileVersion: '9.0'\npackages: {}\nsnapshots:\n  a@1.0.0: {}\n")).toThrow(
      /^pnpm-lock\.yaml:4:3: snapshot "a@1\.0\.0" has no entry "a@1\.0\.0" under packages/,
    );
    expect(pnpm("lockfileVersion: '9.0'\npackages:\n  - a\n")).toThrow(
      /^pnpm-lock\.yaml:2:1: "packages" is not a mapping/,
    );
    expect(pnpm('importers: {}\n')).toThrow(/^pnpm-lock\.yaml:1:1: "lockfileVersion" is missing/);
  });

  it('a dependency the lockfile does not list is a warning, not a failure', () => {
    const graph = parsePnpmLock(
      "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      gone:\n        specifier: ^1\n        version: 1.0.0\n",
      'pnpm-lock.yaml',
      noManifest,
    );
    expect(graph.warnings.join()).toMatch(/1 dependency reference\(s\) name no package.*gone@1\.0\.0/);
  });
});

describe('finding and recognising lockfiles', () => {
  it('recognises each format by name, and by content when renamed', () => {
    const read = (path: string) => readFileSync(path, 'utf8');
    expect(lockfileFormat('x/yarn.lock', read(SINGLE['yarn-classic']))).toBe('yarn-classic');
    expect(lockfileFormat('x/yarn.lock', read(SINGLE['yarn-berry-v4']))).toBe('yarn-berry');
    expect(lockfileFormat('x/pnpm-lock.yaml', '')).toBe('pnpm');
    expect(lockfileFormat('x/deps.lock', read(SINGLE['pnpm-v6']))).toBe('pnpm');
    expect(lockfileFormat('x/deps.lock', read(SINGLE['yarn-classic']))).toBe('yarn-classic');
    expect(lockfileFormat('x/deps.lock', '{"lockfileVersion": 3}')).toBe('npm');
    expect(() => lockfileFormat('x/Gemfile.lock', 'GEM\n')).toThrow(/not a lockfile this action reads/);
  });

  it('finds pnpm-lock.yaml and yarn.lock in the build context', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'find-lock-'));
    mkdirSync(join(workspace, 'app'));
    writeFileSync(join(workspace, 'yarn.lock'), '');
    expect(findLockfile(undefined, 'app', workspace)).toBe(join(workspace, 'yarn.lock'));
    writeFileSync(join(workspace, 'app', 'pnpm-lock.yaml'), '');
    expect(findLockfile(undefined, 'app', workspace)).toBe(join(workspace, 'app', 'pnpm-lock.yaml'));
    expect(() => findLockfile(undefined, '.', mkdtempSync(join(tmpdir(), 'no-lock-')))).toThrow(
      /no lockfile \(npm-shrinkwrap\.json, package-lock\.json, pnpm-lock\.yaml, yarn\.lock\)/,
    );
  });
});

describe('SBOM documents from yarn and pnpm lockfiles', () => {
  const render = (lock: Lockfile) =>
    generateSboms(lock, {
      lockfile: lock.file,
      outputDir: mkdtempSync(join(tmpdir(), 'sbom-yarn-pnpm-')),
      formats: ['cyclonedx-json', 'spdx-json'],
      includeDev: false,
      toolVersion: '0.1.0',
      timestamp: new Date('2026-01-02T03:04:05.000Z'),
    });

  it('validates against both schemas and reports the lockfile format', () => {
    const pnpm = render(loadLockfile(SINGLE['pnpm-v9']));
    expect(pnpm.components).toBe(111);
    expect(pnpm.source.format).toBe('pnpm, lockfileVersion 9.0');
    expect(pnpm.ntia.counts).toEqual({ version: 0, supplier: 111, hash: 0 });

    const berry = render(loadLockfile(SINGLE['yarn-berry-v4']));
    expect(berry.source.format).toBe('yarn 2+, __metadata version 10');
    // No hash of the published archive in a yarn 2+ lockfile: the NTIA report says so for each.
    expect(berry.ntia.counts.hash).toBe(111);
    const bom = JSON.parse(readFileSync(berry.cyclonedx!.path, 'utf8')) as {
      components: { purl: string; properties?: { name: string; value: string }[] }[];
    };
    const express = bom.components.find((c) => c.purl === 'pkg:npm/express@4.22.3')!;
    expect(express.properties).toEqual([
      { name: CHECKSUM_PROPERTY, value: expect.stringMatching(/^10c0\//) },
    ]);

    const classic = render(loadLockfile(SINGLE['yarn-classic']));
    expect(classic.source.format).toBe('yarn 1');
    const spdx = JSON.parse(readFileSync(classic.spdx!.path, 'utf8')) as {
      packages: { name: string; downloadLocation: string; checksums?: { algorithm: string }[] }[];
    };
    const expressPackage = spdx.packages.find((p) => p.name === 'express')!;
    expect(expressPackage.downloadLocation).toBe('https://registry.npmjs.org/express/-/express-4.22.3.tgz');
    expect(expressPackage.checksums!.map((c) => c.algorithm).sort()).toEqual(['SHA1', 'SHA512']);
  });
});
