import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ociPurl, verifyAuditFile } from '../../../shared/audit/index.js';
import { type ActionRun, findLeaks, repoRoot, runAction } from '../../support/harness.js';
import { LocalRegistry } from '../../support/registry.js';

const registry = new LocalRegistry();
let storageDir: string;
let storageConf: string;
const LOCKFILE = join(repoRoot, 'test/fixtures/lockfiles/actions-toolkit-cache_package-lock.json');
const SHA = '3f2c1e9a8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39';

beforeAll(async () => {
  await registry.start();
  // buildah gets its own storage, so the tests neither need nor touch the machine's.
  storageDir = mkdtempSync(join(tmpdir(), 'buildah-storage-'));
  storageConf = join(storageDir, 'storage.conf');
  writeFileSync(
    storageConf,
    `[storage]\ndriver = "vfs"\ngraphroot = "${join(storageDir, 'root')}"\nrunroot = "${join(storageDir, 'run')}"\n`,
  );
});
afterAll(async () => {
  await registry.stop();
  rmSync(storageDir, { recursive: true, force: true });
});

function workspace(lockfileText?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'build-ws-'));
  writeFileSync(join(dir, 'hello.txt'), 'hello from a scratch image\n');
  writeFileSync(join(dir, 'Containerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@actions/cache', license: 'MIT' }));
  if (lockfileText === undefined) copyFileSync(LOCKFILE, join(dir, 'package-lock.json'));
  else writeFileSync(join(dir, 'package-lock.json'), lockfileText);
  return dir;
}

function run(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  ws = workspace(),
): Promise<ActionRun> {
  return runAction({
    action: 'build-and-sbom',
    workspace: ws,
    inputs: { builder: 'buildah', ...inputs },
    env: { CONTAINERS_STORAGE_CONF: storageConf, ...env },
    event: {
      name: 'push',
      payload: {
        repository: {
          name: 'patient-api',
          default_branch: 'main',
          description: 'Patient records API',
          html_url: 'https://github.com/caresync/patient-api',
          license: { spdx_id: 'Apache-2.0' },
        },
      },
    },
  });
}

function auditEvents(run: ActionRun): { type: string; data: Record<string, unknown> }[] {
  return readFileSync(run.outputs['audit-log']!, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).event ?? JSON.parse(line));
}

describe('build-and-sbom with buildah and a real registry', () => {
  let release: ActionRun;
  const image = () => `${registry.host}/caresync/patient-api`;

  beforeAll(async () => {
    release = await run(
      { image: `${registry.host}/CareSync/Patient-API` },
      { GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_REF_NAME: 'v1.2.3', GITHUB_REF_TYPE: 'tag' },
    );
  }, 180_000);

  it('builds a FROM scratch image and pushes every tag, with the digest the registry serves', async () => {
    expect(release.stderr + release.stdout).not.toMatch(/::error::/);
    expect(release.exitCode).toBe(0);
    const digest = release.outputs.digest!;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(release.outputs.image).toBe(image());
    expect(release.outputs['image-ref']).toBe(`${image()}@${digest}`);
    expect(release.outputs.version).toBe('1.2.3');
    const tags = JSON.parse(release.outputs.tags!) as string[];
    expect(tags).toEqual(
      ['1.2.3', '1.2', '1', `sha-${SHA.slice(0, 7)}`, 'latest'].map((t) => `${image()}:${t}`),
    );
    for (const tag of ['1.2.3', '1.2', '1', `sha-${SHA.slice(0, 7)}`, 'latest']) {
      const manifest = await registry.manifest('caresync/patient-api', tag);
      expect(manifest.status).toBe(200);
      expect(manifest.digest).toBe(digest);
    }
    expect((await registry.tags('caresync/patient-api')).sort()).toEqual(
      ['1', '1.2', '1.2.3', 'latest', `sha-${SHA.slice(0, 7)}`].sort(),
    );
  });

  it('sets the OCI labels on the image config', async () => {
    const manifest = (await registry.manifest('caresync/patient-api', '1.2.3')).body as {
      config: { digest: string };
    };
    const config = (await registry.blob('caresync/patient-api', manifest.config.digest)) as {
      config: { Labels: Record<string, string> };
    };
    const labels = config.config.Labels;
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': 'patient-api',
      'org.opencontainers.image.description': 'Patient records API',
      'org.opencontainers.image.url': 'https://github.com/caresync/patient-api',
      'org.opencontainers.image.source': 'https://github.com/caresync/patient-api',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
    expect(labels).toMatchObject(JSON.parse(release.outputs.labels!));
  });

  it('writes SBOMs and provenance that name the pushed digest', () => {
    const digest = release.outputs.digest!;
    const cdx = JSON.parse(readFileSync(release.outputs['sbom-cyclonedx']!, 'utf8'));
    expect(cdx.specVersion).toBe('1.6');
    expect(cdx.metadata.component).toMatchObject({ type: 'container', name: image() });
    expect(cdx.metadata.component.hashes).toEqual([{ alg: 'SHA-256', content: digest.slice(7) }]);
    expect(cdx.components).toHaveLength(41); // 40 production packages + the application
    const spdx = JSON.parse(readFileSync(release.outputs['sbom-spdx']!, 'utf8'));
    expect(spdx.spdxVersion).toBe('SPDX-2.3');
    expect(spdx.packages[0].checksums).toEqual([{ algorithm: 'SHA256', checksumValue: digest.slice(7) }]);
    const provenance = JSON.parse(readFileSync(release.outputs.provenance!, 'utf8'));
    expect(provenance.subject).toEqual([{ name: image(), digest: { sha256: digest.slice(7) } }]);
    expect(provenance.predicate.runDetails.metadata.invocationId).toBe(
      'https://github.com/caresync/patient-api/actions/runs/7001/attempts/1',
    );
    expect(release.summary).toContain(digest);
    expect(release.summary).toContain('40 components');
  });

  it('records artifact.packaged and artifact.published with the digest and SBOM checksums', async () => {
    const events = auditEvents(release);
    const types = events.map((e) => e.type);
    expect(types).toEqual([
      'dev.cdevents.taskrun.started.0.3.0',
      'dev.cdevents.artifact.packaged.0.3.0',
      'dev.cdevents.artifact.published.0.3.0',
      'dev.cdevents.taskrun.finished.0.3.0',
    ]);
    const digest = release.outputs.digest!;
    const published = events[2]!.data as { subject: { id: string }; customData: Record<string, unknown> };
    expect(published.subject.id).toBe(ociPurl(image(), digest));
    expect(published.subject.id).toMatch(/^pkg:oci\/patient-api@sha256%3A[0-9a-f]{64}\?repository_url=/);
    const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    expect(published.customData).toMatchObject({
      digest,
      outcome: 'success',
      checksums: {
        'sbom.cdx.json': sha256(release.outputs['sbom-cyclonedx']!),
        'sbom.spdx.json': sha256(release.outputs['sbom-spdx']!),
      },
    });
    const packaged = events[1]!.data as { customData: Record<string, unknown> };
    expect(packaged.customData).toMatchObject({ digest, image: image(), version: '1.2.3' });
    const verified = await verifyAuditFile(release.outputs['audit-log']!);
    expect(verified.ok).toBe(true);
  });
});

describe('build-and-sbom from a yarn lockfile', () => {
  const fixture = join(repoRoot, 'test/fixtures/lockfiles/yarn-berry-v4');

  it('writes SBOMs of the packages a production install holds, with the lockfile named in the summary', async () => {
    const ws = workspace();
    rmSync(join(ws, 'package-lock.json'));
    copyFileSync(join(fixture, 'yarn.lock'), join(ws, 'yarn.lock'));
    copyFileSync(join(fixture, 'package.json'), join(ws, 'package.json'));
    const result = await run({ image: `${registry.host}/caresync/portal`, push: 'false' }, {}, ws);
    expect(result.stderr + result.stdout).not.toMatch(/::error::/);
    expect(result.exitCode).toBe(0);

    const expected = readFileSync(join(fixture, 'production-install.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const at = line.lastIndexOf('@');
        const name = line.slice(0, at).replace(/^@/, '%40');
        return `pkg:npm/${name}@${line.slice(at + 1)}`;
      });
    const cdx = JSON.parse(readFileSync(result.outputs['sbom-cyclonedx']!, 'utf8')) as {
      metadata: { component: { type: string; name: string } };
      components: { type: string; purl: string; hashes?: unknown[] }[];
    };
    expect(cdx.metadata.component).toMatchObject({
      type: 'container',
      name: `${registry.host}/caresync/portal`,
    });
    const libraries = cdx.components.filter((c) => c.type === 'library');
    expect(libraries.map((c) => c.purl).sort()).toEqual(expected.sort());
    expect(cdx.components.find((c) => c.type === 'application')!.purl).toBe('pkg:npm/patient-portal@2.4.0');
    const spdx = JSON.parse(readFileSync(result.outputs['sbom-spdx']!, 'utf8')) as { packages: unknown[] };
    expect(spdx.packages).toHaveLength(111 + 2); // the image and the application too
    expect(result.summary).toContain('yarn 2+, __metadata version 10');
    expect(result.summary).toContain('not reported as hashes');
    expect(result.summary).toContain('missing version 0, supplier 111, hash 111');
    expect(existsSync(result.outputs.provenance!)).toBe(true);
  }, 180_000);
});

describe('attestation', () => {
  it('refuses attest without the id-token permission, naming it, before building anything', async () => {
    const result = await run({ image: `${registry.host}/caresync/attested`, attest: 'true' });
    expect(result.exitCode).toBe(1);
    const error = result.annotations.find((a) => a.level === 'error')!;
    expect(error.message).toMatch(/input "attest" needs the job permission "id-token: write"/);
    expect(error.message).toMatch(
      /ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set/,
    );
    expect(result.stdout).not.toContain('buildah');
    expect(result.outputs.digest).toBeUndefined();
    expect(await registry.tags('caresync/attested').catch(() => [])).toEqual([]);
  });

  it('with the permission, still stops before building: signing is not part of this build', async () => {
    const result = await run(
      { image: `${registry.host}/caresync/attested`, attest: 'true' },
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token',
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')!.message).toMatch(
      /input "attest": signing is not available.*attest-build-provenance/,
    );
    expect(result.stdout).not.toContain('buildah');
    expect(findLeaks(result, 'oidc-request-token')).toEqual([]);
  });

  it('needs provenance to sign', async () => {
    const result = await run({
      image: `${registry.host}/caresync/attested`,
      attest: 'true',
      provenance: 'false',
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')!.message).toMatch(
      /input "attest" signs the provenance statement, so it needs "provenance: true"/,
    );
  });
});

describe('build-and-sbom failures', () => {
  it('fails on a malformed lockfile with its line and column, before building', async () => {
    const result = await run(
      { image: `${registry.host}/caresync/broken` },
      {},
      workspace('{\n  "lockfileVersion": 3,\n  "packages": {,\n}\n'),
    );
    expect(result.exitCode).toBe(1);
    const error = result.annotations.find((a) => a.level === 'error')!;
    expect(error.message).toMatch(/package-lock\.json:3:16: the lockfile is not valid JSON/);
    expect(result.stdout).not.toContain('buildah');
    expect(await registry.tags('caresync/broken').catch(() => [])).toEqual([]);
  });

  it('retries a registry that does not answer, then fails without claiming any tag', async () => {
    const result = await run({ image: '127.0.0.1:9/caresync/unreachable', 'push-attempts': '2' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')!.message).toMatch(
      /push of 127\.0\.0\.1:9\/caresync\/unreachable:.* failed.*after 2 attempts/,
    );
    expect(result.outputs.tags).toBe('[]');
    expect(result.outputs.digest).toBeUndefined();
    expect(findLeaks(result, 'secret-token')).toEqual([]);
    expect(existsSync(result.outputs['audit-log']!)).toBe(true);
  }, 120_000);
});
