import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildahBuilder } from '../../../actions/build-and-sbom/builder/buildah.js';
import { chooseBuilder } from '../../../actions/build-and-sbom/builder/choose.js';
import type { Exec, ExecResult } from '../../../actions/build-and-sbom/builder/exec.js';
import { PushError } from '../../../actions/build-and-sbom/builder/push-error.js';
import type { BuildRequest } from '../../../actions/build-and-sbom/builder/types.js';
import { GITHUB_BUILD_TYPE, provenanceStatement } from '../../../actions/build-and-sbom/provenance.js';
import { UserError } from '../../../shared/errors.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const noWait = { sleep: async () => {}, baseDelayMs: 1 };

/** A scripted process boundary: records every call and answers from `answer`. */
function fakeExec(answer: (command: string, args: readonly string[]) => Partial<ExecResult>) {
  const calls: { command: string; args: string[]; input?: string }[] = [];
  const exec: Exec = async (command, args, options) => {
    calls.push({ command, args: [...args], input: options?.input });
    const digestAt = args.indexOf('--digestfile');
    const result = { exitCode: 0, stdout: '', stderr: '', ...answer(command, args) };
    if (digestAt >= 0 && result.exitCode === 0) writeFileSync(args[digestAt + 1]!, DIGEST);
    return result;
  };
  return { exec, calls };
}

function request(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    image: 'ghcr.io/caresync/patient-api',
    tags: ['1.2.3', 'latest'],
    context: '/src',
    platforms: [],
    buildArgs: { NODE_ENV: 'production' },
    labels: { 'org.opencontainers.image.version': '1.2.3' },
    secretFiles: { npmrc: '/tmp/secrets/npmrc' },
    cacheFrom: [],
    cacheTo: [],
    push: true,
    insecureRegistry: false,
    workDir: mkdtempSync(join(tmpdir(), 'builder-')),
    ...overrides,
  };
}

describe('buildah builder (exec mocked at the process boundary)', () => {
  it('builds unprivileged with secrets as files, never as build args', async () => {
    const { exec, calls } = fakeExec(() => ({}));
    const builder = new BuildahBuilder(exec, { storageDriver: 'vfs', isolation: 'chroot' });
    const built = await builder.build(request());
    expect(built.localDigest).toBe(DIGEST);
    const args = calls[0]!.args;
    expect(args.slice(0, 5)).toEqual(['--storage-driver', 'vfs', 'build', '--isolation', 'chroot']);
    expect(args).toContain('id=npmrc,src=/tmp/secrets/npmrc');
    expect(args).toContain('NODE_ENV=production');
    expect(args.filter((a) => a.startsWith('--build-arg')).length).toBe(1);
    expect(args).toEqual(
      expect.arrayContaining([
        '--tag',
        'ghcr.io/caresync/patient-api:1.2.3',
        '--tag',
        'ghcr.io/caresync/patient-api:latest',
      ]),
    );
    expect(args.at(-1)).toBe('/src');
  });

  it('logs in with the password on stdin and pushes every tag with TLS verified', async () => {
    const { exec, calls } = fakeExec(() => ({}));
    const builder = new BuildahBuilder(exec, { isolation: 'chroot', retry: noWait });
    const pushed = await builder.push(
      request({ credentials: { registry: 'ghcr.io', username: 'bot', password: 'p4ss-w0rd' } }),
    );
    expect(pushed).toEqual({ digest: DIGEST, pushedTags: ['1.2.3', 'latest'] });
    const login = calls[0]!;
    expect(login.args).toContain('--password-stdin');
    expect(login.input).toBe('p4ss-w0rd');
    expect(calls.flatMap((c) => c.args).join(' ')).not.toContain('p4ss-w0rd');
    expect(calls.flatMap((c) => c.args)).not.toContain('--tls-verify=false');
  });

  it('retries a failing push, and reports only the tags pushed when it gives up', async () => {
    let pushes = 0;
    const { exec } = fakeExec((_, args) => {
      if (!args.includes('push')) return {};
      pushes++;
      return pushes === 1 ? {} : { exitCode: 125, stderr: 'Error: writing blob: connection reset by peer' };
    });
    const builder = new BuildahBuilder(exec, { isolation: 'chroot', retry: { ...noWait, attempts: 3 } });
    const error = await builder.push(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PushError);
    expect((error as PushError).pushedTags).toEqual(['1.2.3']);
    expect((error as Error).message).toMatch(/after 3 attempts/);
    expect(pushes).toBe(4);
  });

  it('names the registry on 401/denied and does not retry', async () => {
    let pushes = 0;
    const { exec } = fakeExec(() => {
      pushes++;
      return { exitCode: 125, stderr: 'Error: requested access to the resource is denied: unauthorized' };
    });
    const builder = new BuildahBuilder(exec, { isolation: 'chroot', retry: noWait });
    const error = (await builder.push(request()).catch((e: unknown) => e)) as PushError;
    expect(error.cause).toBeInstanceOf(UserError);
    expect((error.cause as Error).message).toMatch(
      /registry ghcr\.io denied the push of ghcr\.io\/caresync\/patient-api:1\.2\.3/,
    );
    expect(pushes).toBe(1);
  });

  it('refuses more than one platform', () => {
    const builder = new BuildahBuilder(fakeExec(() => ({})).exec, { isolation: 'chroot' });
    expect(() => builder.buildArgs(request({ platforms: ['linux/amd64', 'linux/arm64'] }))).toThrow(
      /one platform/,
    );
  });
});

describe('builder choice', () => {
  it('falls back to buildah when no docker daemon answers', async () => {
    const { exec } = fakeExec((command) =>
      command === 'docker' ? { exitCode: 1, stderr: 'Cannot connect to the Docker daemon' } : {},
    );
    expect((await chooseBuilder('auto', exec, { buildah: { isolation: 'chroot' } })).name).toBe('buildah');
  });

  it('uses docker when its daemon and buildx answer', async () => {
    const { exec } = fakeExec(() => ({ stdout: '27.0.1' }));
    expect((await chooseBuilder('auto', exec, { buildah: { isolation: 'chroot' } })).name).toBe('docker');
  });

  it('names both builders when neither is available', async () => {
    const { exec } = fakeExec((command) =>
      command === 'docker'
        ? { exitCode: 1, stderr: 'Cannot connect to the Docker daemon' }
        : { exitCode: 127, stderr: 'Unable to locate executable file: buildah' },
    );
    await expect(chooseBuilder('auto', exec, { buildah: { isolation: 'chroot' } })).rejects.toThrow(
      /no image builder available: docker no daemon answered.*buildah not available/,
    );
  });
});

describe('provenance', () => {
  it('is an in-toto v1 statement with a SLSA v1 predicate for the digest', () => {
    const statement = provenanceStatement({
      image: 'ghcr.io/caresync/patient-api',
      digest: DIGEST,
      git: {
        eventName: 'push',
        ref: 'refs/tags/v1.2.3',
        sha: 'abc123',
        repository: 'caresync/patient-api',
        serverUrl: 'https://github.com',
      },
      env: {
        GITHUB_WORKFLOW_REF: 'caresync/patient-api/.github/workflows/release.yml@refs/tags/v1.2.3',
        GITHUB_RUN_ID: '7001',
        GITHUB_RUN_ATTEMPT: '2',
        RUNNER_ENVIRONMENT: 'github-hosted',
      },
      build: {
        builder: 'buildah',
        context: '.',
        platforms: [],
        buildArgNames: ['NODE_ENV'],
        tags: ['1.2.3'],
      },
      startedOn: new Date(0),
      finishedOn: new Date(1000),
      byproducts: [
        { name: 'sbom.cdx.json', sha256: 'd'.repeat(64), mediaType: 'application/vnd.cyclonedx+json' },
      ],
    }) as unknown as {
      _type: string;
      predicateType: string;
      subject: unknown;
      predicate: {
        buildDefinition: {
          buildType: string;
          externalParameters: { workflow: unknown };
          internalParameters: { github: { runner_environment: string } };
          resolvedDependencies: unknown;
        };
        runDetails: { builder: { id: string }; metadata: { invocationId: string } };
      };
    };
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(statement.subject).toEqual([
      { name: 'ghcr.io/caresync/patient-api', digest: { sha256: 'c'.repeat(64) } },
    ]);
    const { buildDefinition, runDetails } = statement.predicate;
    expect(buildDefinition.buildType).toBe(GITHUB_BUILD_TYPE);
    expect(buildDefinition.externalParameters.workflow).toEqual({
      ref: 'refs/tags/v1.2.3',
      repository: 'https://github.com/caresync/patient-api',
      path: '.github/workflows/release.yml',
    });
    expect(buildDefinition.internalParameters.github.runner_environment).toBe('github-hosted');
    expect(buildDefinition.resolvedDependencies).toEqual([
      {
        uri: 'git+https://github.com/caresync/patient-api@refs/tags/v1.2.3',
        digest: { gitCommit: 'abc123' },
      },
    ]);
    expect(runDetails.builder.id).toBe(
      'https://github.com/caresync/patient-api/.github/workflows/release.yml@refs/tags/v1.2.3',
    );
    expect(runDetails.metadata.invocationId).toBe(
      'https://github.com/caresync/patient-api/actions/runs/7001/attempts/2',
    );
  });
});
