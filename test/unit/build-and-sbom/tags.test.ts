import { describe, expect, it } from 'vitest';
import type { GitContext } from '../../../actions/build-and-sbom/metadata/git-context.js';
import { normalizeImageName, registryOf } from '../../../actions/build-and-sbom/metadata/image-name.js';
import { ociLabels } from '../../../actions/build-and-sbom/metadata/labels.js';
import { parseSemver } from '../../../actions/build-and-sbom/metadata/semver.js';
import { computeTags, imageRefs, sanitizeTag } from '../../../actions/build-and-sbom/metadata/tags.js';

const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37';

function ctx(ref: string, extra: Partial<GitContext> = {}): GitContext {
  return {
    eventName: 'push',
    ref,
    sha: SHA,
    defaultBranch: 'master',
    serverUrl: 'https://github.com',
    ...extra,
  };
}

// Expectations follow docker/metadata-action's README tables (type=semver, type=ref, type=sha,
// "Major version zero", "Latest tag", image name and tag sanitisation).
describe('tags by metadata-action rules', () => {
  it('expands a semver git tag v1.2.3 to 1.2.3, 1.2 and 1, then sha and latest', () => {
    expect(computeTags(ctx('refs/tags/v1.2.3'))).toEqual({
      version: '1.2.3',
      tags: ['1.2.3', '1.2', '1', 'sha-860c190', 'latest'],
    });
  });

  it('gives only the full version for a pre-release, and no latest', () => {
    expect(computeTags(ctx('refs/tags/v2.0.8-beta.67')).tags).toEqual(['2.0.8-beta.67', 'sha-860c190']);
    expect(computeTags(ctx('refs/tags/v1.0.0-rc.1')).version).toBe('1.0.0-rc.1');
  });

  it('does not tag major version zero', () => {
    expect(computeTags(ctx('refs/tags/v0.1.2')).tags).toEqual(['0.1.2', '0.1', 'sha-860c190', 'latest']);
  });

  it('drops build metadata as {{version}} does', () => {
    expect(computeTags(ctx('refs/tags/v1.2.3+build.5')).tags.slice(0, 3)).toEqual(['1.2.3', '1.2', '1']);
  });

  it('keeps a non-semver git tag as written (sanitised), with latest', () => {
    expect(computeTags(ctx('refs/tags/release/2024-01')).tags).toEqual([
      'release-2024-01',
      'sha-860c190',
      'latest',
    ]);
  });

  it('uses the sanitised branch name: refs/heads/my/branch → my-branch', () => {
    expect(computeTags(ctx('refs/heads/my/branch')).tags).toEqual(['my-branch', 'sha-860c190']);
    expect(computeTags(ctx('refs/heads/releases/v1')).tags[0]).toBe('releases-v1');
  });

  it('adds latest on the default branch only', () => {
    expect(computeTags(ctx('refs/heads/master'))).toEqual({
      version: 'master',
      tags: ['master', 'sha-860c190', 'latest'],
    });
    expect(computeTags(ctx('refs/heads/develop')).tags).not.toContain('latest');
    expect(computeTags(ctx('refs/heads/master', { defaultBranch: undefined })).tags).not.toContain('latest');
  });

  it('tags a pull request pr-<n> (refs/pull/2/merge → pr-2), never latest', () => {
    expect(computeTags(ctx('refs/pull/2/merge', { eventName: 'pull_request' }))).toEqual({
      version: 'pr-2',
      tags: ['pr-2', 'sha-860c190'],
    });
  });

  it('tags a scheduled run nightly', () => {
    expect(computeTags(ctx('refs/heads/master', { eventName: 'schedule' })).tags).toEqual([
      'nightly',
      'sha-860c190',
    ]);
  });

  it('always adds sha-<7>', () => {
    expect(computeTags(ctx('refs/heads/x')).tags).toContain('sha-860c190');
  });

  it('lets latest be forced on or off', () => {
    expect(computeTags(ctx('refs/heads/develop'), { latest: 'true' }).tags.at(-1)).toBe('latest');
    expect(computeTags(ctx('refs/tags/v1.2.3'), { latest: 'false' }).tags).toEqual([
      '1.2.3',
      '1.2',
      '1',
      'sha-860c190',
    ]);
  });

  it('lets the version input override the ref, expanding semver', () => {
    expect(computeTags(ctx('refs/heads/feature/x'), { version: 'v3.1.0' })).toEqual({
      version: '3.1.0',
      tags: ['3.1.0', '3.1', '3', 'sha-860c190', 'latest'],
    });
    expect(computeTags(ctx('refs/heads/feature/x'), { version: '2024.06 build' })).toEqual({
      version: '2024.06-build',
      tags: ['2024.06-build', 'sha-860c190'],
    });
    expect(computeTags(ctx('refs/heads/master'), { version: 'hotfix' }).tags).toContain('latest');
  });

  it('adds extra tags after the derived ones (raw priority) and removes duplicates', () => {
    expect(computeTags(ctx('refs/tags/v1.2.3'), { extraTags: ['stable', '1.2', 'with space'] }).tags).toEqual(
      ['1.2.3', '1.2', '1', 'stable', 'with-space', 'sha-860c190', 'latest'],
    );
  });

  it('prefixes tags with the image', () => {
    expect(imageRefs('ghcr.io/org/app', ['1.2.3', 'latest'])).toEqual([
      'ghcr.io/org/app:1.2.3',
      'ghcr.io/org/app:latest',
    ]);
  });
});

describe('tag and image name sanitisation', () => {
  it('replaces runs of invalid characters with - and keeps case, as metadata-action', () => {
    expect(sanitizeTag('feature/Foo@bar!!baz')).toBe('feature-Foo-bar-baz');
    expect(sanitizeTag('-.leading')).toBe('leading');
    expect(sanitizeTag('x'.repeat(200))).toHaveLength(128);
  });

  it('lower-cases the image name and replaces invalid characters', () => {
    expect(normalizeImageName('GHCR.io/CareSync/Patient API')).toBe('ghcr.io/caresync/patient-api');
    expect(normalizeImageName('127.0.0.1:5000/Org/App_')).toBe('127.0.0.1:5000/org/app');
    expect(normalizeImageName('MyUser/App')).toBe('myuser/app');
  });

  it('refuses a tag or digest in the image name', () => {
    expect(() => normalizeImageName('ghcr.io/org/app:1.0')).toThrow(/without a tag/);
    expect(() => normalizeImageName('ghcr.io/org/app@sha256:abc')).toThrow(/without a digest/);
    expect(() => normalizeImageName('   ')).toThrow(/input "image"/);
  });

  it('finds the registry of a name', () => {
    expect(registryOf('ghcr.io/org/app')).toBe('ghcr.io');
    expect(registryOf('localhost:5000/app')).toBe('localhost:5000');
    expect(registryOf('org/app')).toBe('docker.io');
  });

  it('parses semver strictly', () => {
    expect(parseSemver('v1.2.3')).toMatchObject({ major: 1, minor: 2, patch: 3, version: '1.2.3' });
    expect(parseSemver('1.2')).toBeUndefined();
    expect(parseSemver('v01.2.3')).toBeUndefined();
  });
});

describe('OCI labels', () => {
  it('sets the eight org.opencontainers.image labels from the event repository', () => {
    const created = new Date('2020-01-10T00:30:00.000Z');
    const labels = ociLabels({
      context: ctx('refs/tags/v1.2.3', {
        repository: 'octocat/Hello-World',
        repositoryName: 'Hello-World',
        description: 'This your first repo!',
        htmlUrl: 'https://github.com/octocat/Hello-World',
        licenseSpdxId: 'MIT',
      }),
      version: '1.2.3',
      created,
    });
    expect(labels).toEqual({
      'org.opencontainers.image.title': 'Hello-World',
      'org.opencontainers.image.description': 'This your first repo!',
      'org.opencontainers.image.url': 'https://github.com/octocat/Hello-World',
      'org.opencontainers.image.source': 'https://github.com/octocat/Hello-World',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.created': '2020-01-10T00:30:00.000Z',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.licenses': 'MIT',
    });
  });

  it('falls back to the run and the manifest, and lets extra labels override', () => {
    const labels = ociLabels({
      context: ctx('refs/heads/master', { repository: 'caresync/patient-api' }),
      version: 'master',
      created: new Date(0),
      fallbackDescription: 'API',
      fallbackLicense: 'Apache-2.0',
      extra: { 'org.opencontainers.image.title': 'Patient API', maintainer: 'platform' },
    });
    expect(labels['org.opencontainers.image.url']).toBe('https://github.com/caresync/patient-api');
    expect(labels['org.opencontainers.image.description']).toBe('API');
    expect(labels['org.opencontainers.image.licenses']).toBe('Apache-2.0');
    expect(labels['org.opencontainers.image.title']).toBe('Patient API');
    expect(labels.maintainer).toBe('platform');
  });
});
