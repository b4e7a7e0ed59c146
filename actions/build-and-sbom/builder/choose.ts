import { UserError } from '../../../shared/errors.js';
import type { RetryOptions } from '../../../shared/retry.js';
import { BuildahBuilder, type BuildahOptions } from './buildah.js';
import { DockerBuilder } from './docker.js';
import { type Exec, lastErrorLine } from './exec.js';
import type { Builder } from './types.js';

export const BUILDER_MODES = ['auto', 'docker', 'buildah'] as const;
export type BuilderMode = (typeof BUILDER_MODES)[number];

interface Probe {
  ok: boolean;
  reason: string;
}

/** docker counts only when its daemon answers and buildx is installed. */
async function probeDocker(exec: Exec): Promise<Probe> {
  const server = await exec('docker', ['version', '--format', '{{.Server.Version}}'], { silent: true });
  if (server.exitCode !== 0) return { ok: false, reason: `no daemon answered (${lastErrorLine(server)})` };
  const buildx = await exec('docker', ['buildx', 'version'], { silent: true });
  if (buildx.exitCode !== 0)
    return { ok: false, reason: `buildx is not installed (${lastErrorLine(buildx)})` };
  return { ok: true, reason: '' };
}

async function probeBuildah(exec: Exec): Promise<Probe> {
  const version = await exec('buildah', ['--version'], { silent: true });
  if (version.exitCode !== 0) return { ok: false, reason: `not available (${lastErrorLine(version)})` };
  return { ok: true, reason: '' };
}

export async function chooseBuilder(
  mode: BuilderMode,
  exec: Exec,
  options: { buildah: BuildahOptions; retry?: RetryOptions },
): Promise<Builder> {
  const docker = () => new DockerBuilder(exec, { retry: options.retry });
  const buildah = () => new BuildahBuilder(exec, { ...options.buildah, retry: options.retry });
  if (mode === 'docker') {
    const probe = await probeDocker(exec);
    if (!probe.ok) throw new UserError(`builder "docker": ${probe.reason}`);
    return docker();
  }
  if (mode === 'buildah') {
    const probe = await probeBuildah(exec);
    if (!probe.ok) throw new UserError(`builder "buildah": ${probe.reason}`);
    return buildah();
  }
  const dockerProbe = await probeDocker(exec);
  if (dockerProbe.ok) return docker();
  const buildahProbe = await probeBuildah(exec);
  if (buildahProbe.ok) return buildah();
  throw new UserError(
    `no image builder available: docker ${dockerProbe.reason}; buildah ${buildahProbe.reason}. Install one, or run on a runner that has them (GitHub's Ubuntu runners have both).`,
  );
}
