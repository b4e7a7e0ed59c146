import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../shared/errors.js';
import {
  PermanentError,
  RetryableError,
  RetryExhaustedError,
  type RetryOptions,
  retry,
} from '../../../shared/retry.js';
import { type Exec, lastErrorLine } from './exec.js';
import { PushError } from './push-error.js';
import { type Builder, type BuildRequest, type BuildResult, DIGEST, type PushResult } from './types.js';

const AUTH_FAILURE = /unauthori[sz]ed|authentication required|denied|\b401\b|\b403\b/i;
/** Only a failed push is worth repeating; a failed build step would fail the same way again. */
const PUSH_FAILURE = /failed to push|error pushing|push access|failed to copy|connection reset|timeout/i;

/** docker buildx: builds and pushes every tag in one invocation; the digest comes from --metadata-file. */
export class DockerBuilder implements Builder {
  readonly name = 'docker' as const;

  constructor(
    private readonly exec: Exec,
    private readonly options: { retry?: RetryOptions } = {},
  ) {}

  buildArgs(request: BuildRequest, metadataFile: string): string[] {
    const args = ['buildx', 'build', '--metadata-file', metadataFile];
    for (const tag of request.tags) args.push('--tag', `${request.image}:${tag}`);
    if (request.file) args.push('--file', request.file);
    if (request.target) args.push('--target', request.target);
    if (request.platforms.length) args.push('--platform', request.platforms.join(','));
    for (const [key, value] of Object.entries(request.buildArgs)) args.push('--build-arg', `${key}=${value}`);
    for (const [key, value] of Object.entries(request.labels)) args.push('--label', `${key}=${value}`);
    for (const [id, file] of Object.entries(request.secretFiles))
      args.push('--secret', `id=${id},src=${file}`);
    for (const from of request.cacheFrom) args.push('--cache-from', from);
    for (const to of request.cacheTo) args.push('--cache-to', to);
    if (request.push) {
      args.push(
        '--output',
        `type=image,push=true${request.insecureRegistry ? ',registry.insecure=true' : ''}`,
      );
    } else if (request.platforms.length <= 1) {
      args.push('--load');
    }
    args.push(request.context);
    return args;
  }

  private result?: { digest?: string; error?: unknown };

  /** buildx builds and pushes in one go, so a push is decided here and reported by push(). */
  async build(request: BuildRequest): Promise<BuildResult> {
    try {
      const digest = await this.run(request);
      this.result = { digest };
      return { localDigest: digest };
    } catch (error) {
      if (!(error instanceof PushError)) throw error;
      // The image built; only its push failed, which push() reports.
      this.result = { error };
      return {};
    }
  }

  async push(request: BuildRequest): Promise<PushResult> {
    if (!this.result) throw new Error('docker: push() before build()');
    if (this.result.error) throw this.result.error;
    if (!this.result.digest)
      throw new PushError('buildx wrote no image digest to its metadata file', [], undefined);
    return { digest: this.result.digest, pushedTags: [...request.tags] };
  }

  private async run(request: BuildRequest): Promise<string | undefined> {
    if (request.credentials) {
      const { registry, username, password } = request.credentials;
      const login = await this.exec(
        'docker',
        ['login', '--username', username, '--password-stdin', registry],
        {
          input: password,
        },
      );
      if (login.exitCode !== 0) {
        throw new UserError(
          `registry ${registry} refused the login for "${username}": ${lastErrorLine(login)}`,
        );
      }
    }
    const metadataFile = join(request.workDir, 'buildx-metadata.json');
    try {
      await retry(
        async () => {
          const result = await this.exec('docker', this.buildArgs(request, metadataFile));
          if (result.exitCode === 0) return;
          const output = `${result.stderr}\n${result.stdout}`;
          const reason = lastErrorLine(result);
          if (request.push && AUTH_FAILURE.test(output)) {
            throw new PermanentError(reason, {
              cause: new UserError(`registry ${request.image.split('/')[0]} denied the push: ${reason}`),
            });
          }
          if (request.push && PUSH_FAILURE.test(output)) throw new RetryableError(`push failed: ${reason}`);
          throw new PermanentError(reason, { cause: new Error(`docker buildx build failed: ${reason}`) });
        },
        { ...this.options.retry, signal: request.signal },
      );
    } catch (error) {
      // buildx pushes all tags together: when the push gives out, none can be claimed.
      if (error instanceof RetryExhaustedError) {
        throw new PushError(error.message, [], undefined, { cause: error });
      }
      throw error;
    }
    return readMetadataDigest(metadataFile);
  }
}

function readMetadataDigest(file: string): string | undefined {
  try {
    const metadata = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const digest = metadata['containerimage.digest'];
    return typeof digest === 'string' && DIGEST.test(digest) ? digest : undefined;
  } catch {
    return undefined;
  }
}
