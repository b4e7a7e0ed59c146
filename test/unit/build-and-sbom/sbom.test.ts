import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cycloneDxBom } from '../../../actions/build-and-sbom/sbom/cyclonedx.js';
import { generateSboms } from '../../../actions/build-and-sbom/sbom/generate.js';
import { integrityHashes } from '../../../actions/build-and-sbom/sbom/integrity.js';
import { buildInventory, npmPurl } from '../../../actions/build-and-sbom/sbom/inventory.js';
import { classifyLicense, spdxLicenseField } from '../../../actions/build-and-sbom/sbom/license.js';
import { loadLockfile } from '../../../actions/build-and-sbom/sbom/load-lockfile.js';
import {
  lockfileFacts,
  type PackageLock,
  parsePackageLock,
} from '../../../actions/build-and-sbom/sbom/package-lock.js';
import { spdxDocument } from '../../../actions/build-and-sbom/sbom/spdx.js';
import { assertValid } from '../../../actions/build-and-sbom/schema-validate.js';
import { repoRoot } from '../../support/harness.js';

const FIXTURES = join(repoRoot, 'test/fixtures/lockfiles');
const LARGE = join(FIXTURES, 'parse-server_package-lock.json');
const SMALL = join(FIXTURES, 'actions-toolkit-cache_package-lock.json');
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const IMAGE = {
  name: 'ghcr.io/caresync/patient-api',
  digest: DIGEST,
  version: '1.2.3',
  purl: `pkg:oci/patient-api@${encodeURIComponent(DIGEST)}`,
};
const COMMON = { toolVersion: '0.1.0', timestamp: new Date('2026-01-02T03:04:05.000Z') };

/** An npm lockfile, read the way the action reads any lockfile. */
function npmLock(path: string): PackageLock {
  const lock = loadLockfile(path);
  if (lock.format !== 'npm') throw new Error(`${path} was read as ${lock.format}`);
  return lock;
}

/** All purls in a CycloneDX document's components, nested ones included. */
function cdxPurls(bom: { components?: { purl?: string; components?: unknown[] }[] }): Set<string> {
  const out = new Set<string>();
  const walk = (list: { purl?: string; components?: unknown[] }[] = []) => {
    for (const c of list) {
      if (c.purl) out.add(c.purl);
      walk(c.components as typeof list);
    }
  };
  walk(bom.components);
  return out;
}

/** What @cyclonedx/cyclonedx-npm reports for a project, production dependencies only. */
function cyclonedxNpm(projectDir: string): { purls: Set<string>; root?: string } {
  const out = join(mkdtempSync(join(tmpdir(), 'cdx-npm-')), 'bom.json');
  const result = spawnSync(
    join(repoRoot, 'node_modules/.bin/cyclonedx-npm'),
    ['--package-lock-only', '--omit', 'dev', '--output-format', 'JSON', '--output-file', out],
    {
      cwd: projectDir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}` },
    },
  );
  if (result.status !== 0) throw new Error(`cyclonedx-npm failed: ${result.stderr}`);
  const bom = JSON.parse(readFileSync(out, 'utf8'));
  return { purls: cdxPurls(bom), root: bom.metadata?.component?.purl };
}

/** A project folder holding only a lockfile, with the package.json its root entry describes. */
function projectFrom(lockfile: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lock-project-'));
  copyFileSync(lockfile, join(dir, 'package-lock.json'));
  const root = JSON.parse(readFileSync(lockfile, 'utf8')).packages[''];
  const keys = [
    'name',
    'version',
    'license',
    'dependencies',
    'devDependencies',
    'optionalDependencies',
    'peerDependencies',
  ];
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(Object.fromEntries(keys.filter((k) => k in root).map((k) => [k, root[k]]))),
  );
  return dir;
}

describe('package-lock parsing: the real-world figures', () => {
  // From the fixture set's expected-facts.json.
  it('parse-server (lockfileVersion 2, 1809 entries)', () => {
    expect(lockfileFacts(npmLock(LARGE))).toEqual({
      lockfileVersion: 2,
      packages_entries_incl_root: 1809,
      packages_entries_excl_root: 1808,
      dev: 1100,
      devOptional: 3,
      optional: 115,
      peer: 13,
      link: 2,
      nested_node_modules: 670,
      'non_node_modules_keys(workspaces)': [
        'spec/dependencies/mock-files-adapter',
        'spec/dependencies/mock-mail-adapter',
      ],
      has_legacy_dependencies_section: true,
    });
  });

  it('@actions/cache (lockfileVersion 3, 52 entries)', () => {
    expect(lockfileFacts(npmLock(SMALL))).toEqual({
      lockfileVersion: 3,
      packages_entries_incl_root: 52,
      packages_entries_excl_root: 51,
      dev: 11,
      devOptional: 0,
      optional: 0,
      peer: 0,
      link: 0,
      nested_node_modules: 2,
      'non_node_modules_keys(workspaces)': [],
      has_legacy_dependencies_section: false,
    });
  });

  it('names file, line and column of malformed JSON', () => {
    expect(() =>
      parsePackageLock('{\n  "lockfileVersion": 3,\n  "packages": {\n    "a": {},,\n}', 'lock.json'),
    ).toThrow(/^lock\.json:4:13: the lockfile is not valid JSON/);
  });

  it('refuses a lockfile v1 with the fix', () => {
    expect(() => parsePackageLock('{"lockfileVersion": 1, "dependencies": {}}', 'old.json')).toThrow(
      /old\.json: lockfileVersion 1 has no "packages" map.*npm 7/,
    );
  });
});

describe('inventory', () => {
  it('keeps production packages (devOptional included, links followed) and one component per purl', () => {
    const inventory = buildInventory(npmLock(LARGE));
    expect(inventory.packages.size).toBe(651);
    const paths = [...inventory.packages.values()].reduce((n, p) => n + p.paths.length, 0);
    expect(paths).toBe(706); // 705 neither dev nor devOptional + 3 devOptional − 2 links
    expect(buildInventory(npmLock(SMALL)).packages.size).toBe(40);
    expect(buildInventory(npmLock(SMALL), { includeDev: true }).packages.size).toBe(51);
  });

  it('resolves dependencies the way node does, nearest node_modules first', () => {
    const inventory = buildInventory(npmLock(LARGE));
    const bodyParser = inventory.packages.get('pkg:npm/body-parser@1.20.3')!;
    // body-parser has its own nested debug@2.6.9 under node_modules/body-parser/node_modules.
    expect(bodyParser.dependsOn).toContain('pkg:npm/debug@2.6.9');
    expect(inventory.root.dependsOn).toContain('pkg:npm/%40apollo/server@4.11.0');
    expect(inventory.root.dependsOn.size).toBe(49);
  });

  it('builds purls and hex hashes like cyclonedx-npm', () => {
    expect(npmPurl('@apollo/server', '4.11.0')).toBe('pkg:npm/%40apollo/server@4.11.0');
    expect(npmPurl('a', '1.0.0+b')).toBe('pkg:npm/a@1.0.0%2Bb');
    const hashes = integrityHashes(
      'sha512-SWDvbbs0wl2zYhKG6aGLxwTJ72xpqp0awb2lotNpfezd9VcAvzaUizzKQqocephin2uMoaA8MguoyBmgtPzNWw== sha1-AAAA',
    );
    expect(hashes.get('SHA-512')).toBe(
      '4960ef6dbb34c25db3621286e9a18bc704c9ef6c69aa9d1ac1bda5a2d3697decddf55700bf36948b3cca42aa1c7a98629f6b8ca1a03c320ba8c819a0b4fccd5b',
    );
    expect(hashes.has('SHA-1')).toBe(true);
  });

  it('classifies licences', () => {
    expect(classifyLicense('MIT')).toEqual({ kind: 'id', value: 'MIT' });
    expect(classifyLicense('(MIT OR Apache-2.0)')).toEqual({
      kind: 'expression',
      value: '(MIT OR Apache-2.0)',
    });
    expect(classifyLicense('SEE LICENSE IN LICENSE.md')).toEqual({
      kind: 'name',
      value: 'SEE LICENSE IN LICENSE.md',
    });
    expect(spdxLicenseField('SEE LICENSE IN x')).toBe('NOASSERTION');
  });
});

describe('SBOMs compared with @cyclonedx/cyclonedx-npm', () => {
  let large: ReturnType<typeof cyclonedxNpm>;
  let own: ReturnType<typeof cyclonedxNpm>;
  beforeAll(() => {
    large = cyclonedxNpm(projectFrom(LARGE));
    own = cyclonedxNpm(repoRoot);
  }, 60_000);

  it('lists the same set of purls for the ≥1,000-package lockfile', () => {
    const bom = cycloneDxBom(buildInventory(npmLock(LARGE)), COMMON) as Parameters<typeof cdxPurls>[0] & {
      metadata: { component: { purl: string } };
    };
    const ours = cdxPurls(bom);
    ours.delete(bom.metadata.component.purl);
    expect(large.purls.size).toBe(651);
    expect([...ours].sort()).toEqual([...large.purls].sort());
  });

  it("lists the same set of purls for this repository's own lockfile", () => {
    const ours = cdxPurls(
      cycloneDxBom(buildInventory(npmLock(join(repoRoot, 'package-lock.json'))), COMMON) as never,
    );
    expect(own.purls.size).toBeGreaterThan(50);
    expect([...ours].sort()).toEqual([...own.purls].sort());
  });
});

describe('documents', () => {
  it('validates CycloneDX 1.6 and SPDX 2.3 against the official schemas, describing the image', () => {
    const inventory = buildInventory(npmLock(SMALL));
    const bom = cycloneDxBom(inventory, { ...COMMON, image: IMAGE }) as {
      specVersion: string;
      metadata: { component: Record<string, unknown> };
      components: { type: string; purl: string; hashes?: unknown[]; licenses?: unknown[] }[];
      dependencies: { ref: string; dependsOn?: string[] }[];
    };
    expect(() => assertValid('cyclonedx-1.6', bom)).not.toThrow();
    expect(bom.specVersion).toBe('1.6');
    expect(bom.metadata.component).toMatchObject({ type: 'container', name: IMAGE.name, version: '1.2.3' });
    const libraries = bom.components.filter((c) => c.type === 'library');
    expect(libraries).toHaveLength(40);
    expect(libraries.every((c) => c.hashes?.length)).toBe(true);
    expect(bom.components.filter((c) => c.licenses?.length).length).toBeGreaterThan(0);
    const image = bom.dependencies.find((d) => d.ref === IMAGE.purl)!;
    expect(image.dependsOn).toEqual(['pkg:npm/%40actions/cache@6.0.1']);

    const spdx = spdxDocument(inventory, { ...COMMON, image: IMAGE, organization: 'caresync' });
    expect(() => assertValid('spdx-2.3', spdx)).not.toThrow();
    const relationships = spdx.relationships as { relationshipType: string }[];
    expect(relationships.filter((r) => r.relationshipType === 'DEPENDS_ON').length).toBeGreaterThan(40);
    expect((spdx.packages as unknown[]).length).toBe(42);
  });

  it('refuses a document that breaks the schema', () => {
    expect(() =>
      assertValid('cyclonedx-1.6', { bomFormat: 'CycloneDX', specVersion: '1.6', components: 'none' }),
    ).toThrow(/cyclonedx-1\.6 SBOM does not match its official schema/);
    expect(() => assertValid('spdx-2.3', { spdxVersion: 'SPDX-2.3' })).toThrow(/spdx-2\.3/);
  });

  it('writes both files with their SHA-256 and an NTIA report of the gaps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbom-out-'));
    const result = generateSboms(loadLockfile(LARGE), {
      lockfile: LARGE,
      outputDir: dir,
      formats: ['cyclonedx-json', 'spdx-json'],
      includeDev: false,
      image: IMAGE,
      ...COMMON,
    });
    expect(result.components).toBe(651);
    expect(result.cyclonedx!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(readFileSync(result.spdx!.path, 'utf8')).spdxVersion).toBe('SPDX-2.3');
    // The lockfile carries versions and integrity for every registry package, but no supplier.
    expect(result.ntia.counts).toEqual({ version: 0, supplier: 651, hash: 0 });
    expect(result.ntia.complete).toBe(false);
    expect(JSON.parse(readFileSync(result.ntiaFile.path, 'utf8')).missing.supplier).toHaveLength(651);
  });
});
