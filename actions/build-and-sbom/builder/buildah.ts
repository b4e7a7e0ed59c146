import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../shared/errors.js';
import { PermanentError, RetryableError, type RetryOptions, retry } from '../../../shared/retry.js';
import { registryOf } from '../metadata/image-name.js';
import { type Exec, lastErrorLine } from './exec.js';
import { PushError } from './push-error.js';
import { type Builder, type BuildRequest, type BuildResult, DIGEST, type PushResult } from './types.js';

export interface BuildahOptions {
  /** `vfs` works without privileges or fuse-overlayfs; overlay is faster where it is set up. */
  storageDriver?: string;
  /** `chroot` needs no user namespaces, so it works in unprivileged containers. */
  isolation: string;
  retry?: RetryOptions;
}

const AUTH_FAILURE = /unauthori[sz]ed|authentication required|denied|\b401\b|\b403\b/i;

function readDigest(file: string): string | undefined {
  try {
    const digest = readFileSync(file, 'utf8').trim();
    return DIGEST.test(digest) ? digest : undefined;
  } catch {
    return undefined;
  }
}

/** Daemonless builds with buildah: `build`, then `push --digestfile` for every tag. */
export class BuildahBuilder implements Builder {
  readonly name = 'buildah' as const;

  constructor(
    private readonly exec: Exec,
    private readonly options: BuildahOptions,
  ) {}

  private global(): string[] {
    return this.options.storageDriver ? ['--storage-driver', this.options.storageDriver] : [];
  }

  buildArgs(request: BuildRequest): string[] {
    if (request.platforms.length > 1) {
      throw new UserError(
        `input "platforms": buildah builds one platform per run here (got ${request.platforms.join(', ')}); use builder: docker for multi-platform images`,
      );
    }
    const args = [...this.global(), 'build', '--isolation', this.options.isolation, '--format', 'oci'];
    args.push('--iidfile', join(request.workDir, 'image-id'));
    for (const tag of request.tags) args.push('--tag', `${request.image}:${tag}`);
    if (request.file) args.push('--file', request.file);
    if (request.target) args.push('--target', request.target);
    for (const platform of request.platforms) args.push('--platform', platform);
    for (const [key, value] of Object.entries(request.buildArgs)) args.push('--build-arg', `${key}=${value}`);
    for (const [key, value] of Object.entries(request.labels)) args.push('--label', `${key}=${value}`);
    for (const [id, file] of Object.entries(request.secretFiles))
      args.push('--secret', `id=${id},src=${file}`);
    args.push(request.context);
    return args;
  }

  private tlsArgs(request: BuildRequest): string[] {
    return request.insecureRegistry ? ['--tls-verify=false'] : [];
  }

  async build(request: BuildRequest): Promise<BuildResult> {
    const built = await this.exec('buildah', this.buildArgs(request));
    if (built.exitCode !== 0) throw new Error(`buildah build failed: ${lastErrorLine(built)}`);
    const localName = `${request.image}:${request.tags[0]}`;

    // Copying into a local OCI layout yields the manifest digest the registry will hold.
    const layoutDigestFile = join(request.workDir, 'layout-digest');
    const layout = await this.exec('buildah', [
      ...this.global(),
      'push',
      '--quiet',
      '--digestfile',
      layoutDigestFile,
      localName,
      `oci:${join(request.workDir, 'oci-layout')}:${request.tags[0]}`,
    ]);
    return { localDigest: layout.exitCode === 0 ? readDigest(layoutDigestFile) : undefined };
  }

  async push(request: BuildRequest): Promise<PushResult> {
    const localName = `${request.image}:${request.tags[0]}`;

    const authArgs: string[] = [];
    if (request.credentials) {
      const authfile = join(request.workDir, 'auth.json');
      const { registry, username, password } = request.credentials;
      const login = await this.exec(
        'buildah',
        [
          'login',
          '--authfile',
          authfile,
          ...this.tlsArgs(request),
          '--username',
          username,
          '--password-stdin',
          registry,
        ],
        { input: password },
      );
      if (login.exitCode !== 0) {
        throw new UserError(
          `registry ${registry} refused the login for "${username}": ${lastErrorLine(login)}`,
        );
      }
      authArgs.push('--authfile', authfile);
    }

    const pushedTags: string[] = [];
    let digest: string | undefined;
    for (const tag of request.tags) {
      const destination = `${request.image}:${tag}`;
      const digestFile = join(request.workDir, `push-digest-${pushedTags.length}`);
      try {
        await retry(
          async () => {
            const pushed = await this.exec('buildah', [
              ...this.global(),
              'push',
              // The suite's retry policy decides; buildah's own would multiply the attempts.
              '--retry',
              '0',
              '--digestfile',
              digestFile,
              ...this.tlsArgs(request),
              ...authArgs,
              localName,
              `docker://${destination}`,
            ]);
            if (pushed.exitCode === 0) return;
            const reason = lastErrorLine(pushed);
            if (AUTH_FAILURE.test(`${pushed.stderr}\n${pushed.stdout}`)) {
              throw new PermanentError(reason, {
                cause: new UserError(
                  `registry ${registryOf(request.image)} denied the push of ${destination}: ${reason}`,
                ),
              });
            }
            throw new RetryableError(`push of ${destination} failed: ${reason}`);
          },
          { ...this.options.retry, signal: request.signal },
        );
      } catch (error) {
        throw new PushError((error as Error).message, [...pushedTags], digest, { cause: error });
      }
      const pushedDigest = readDigest(digestFile);
      if (!pushedDigest) {
        throw new PushError(`buildah pushed ${destination} but wrote no digest`, [...pushedTags], digest);
      }
      if (digest && pushedDigest !== digest) {
        throw new PushError(
          `the registry reports ${pushedDigest} for ${destination} but ${digest} for the tags before it`,
          [...pushedTags],
          digest,
        );
      }
      digest = pushedDigest;
      pushedTags.push(tag);
    }
    if (!digest)
      throw new PushError('buildah reported no digest for the pushed image', pushedTags, undefined);
    return { digest, pushedTags };
  }
}
