import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import {
  artifactPackaged,
  artifactPublished,
  ociPurl,
  taskRunFinished,
  taskRunStarted,
} from '../../shared/audit/index.js';
import { openAuditFromConfig } from '../../shared/audit/open-from-config.js';
import { effectiveConfigMarkdown } from '../../shared/config/index.js';
import { loadOptionalEnvironmentConfig } from '../../shared/config/load-optional.js';
import { UserError } from '../../shared/errors.js';
import { SUITE_VERSION } from '../../shared/version.js';
import { assertCanAttest } from './attest.js';
import { chooseBuilder } from './builder/choose.js';
import { type Exec, runCommand } from './builder/exec.js';
import { PushError } from './builder/push-error.js';
import type { BuildRequest } from './builder/types.js';
import type { BuildInputs } from './inputs.js';
import { findLockfile } from './lockfile-path.js';
import { readGitContext } from './metadata/git-context.js';
import { ociLabels } from './metadata/labels.js';
import { computeTags, imageRefs } from './metadata/tags.js';
import { provenanceStatement } from './provenance.js';
import { buildSummary } from './report.js';
import type { DescribedImage } from './sbom/described-image.js';
import type { SbomResult } from './sbom/generate.js';
import { type Lockfile, loadLockfile } from './sbom/load-lockfile.js';

export interface BuildOutcome {
  digest?: string;
  tags: string[];
}

function readManifest(dir: string): { description?: string; license?: string } {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    return {
      description: typeof manifest.description === 'string' ? manifest.description : undefined,
      license: typeof manifest.license === 'string' ? manifest.license : undefined,
    };
  } catch {
    return {};
  }
}

/** Secrets reach the builder as files (mode 0600) named by id, never as arguments. */
function writeSecretFiles(dir: string, secrets: Record<string, string>): Record<string, string> {
  const files: Record<string, string> = {};
  mkdirSync(join(dir, 'secrets'), { recursive: true, mode: 0o700 });
  for (const [id, value] of Object.entries(secrets)) {
    const file = join(dir, 'secrets', id);
    writeFileSync(file, value, { mode: 0o600 });
    chmodSync(file, 0o600);
    files[id] = file;
  }
  return files;
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export async function buildAndSbom(
  inputs: BuildInputs,
  signal: AbortSignal,
  exec: Exec = runCommand,
): Promise<BuildOutcome> {
  const startedOn = new Date();
  const env = process.env;
  if (inputs.attest) assertCanAttest(env);
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const runnerTemp = env.RUNNER_TEMP ?? workspace;
  const environment = inputs.environment ?? 'build';
  const loaded = await loadOptionalEnvironmentConfig(environment, inputs.configPath, workspace);
  const git = readGitContext(env);
  const contextDir = resolve(workspace, inputs.context);

  // Read and check everything before building: a malformed lockfile fails here, not after a push.
  let lock: Lockfile | undefined;
  if (inputs.sbomFormats.length) {
    lock = loadLockfile(findLockfile(inputs.lockfile, inputs.context, workspace));
    for (const warning of lock.warnings) core.warning(warning);
    for (const note of lock.notes) core.info(note);
  }

  const { version, tags } = computeTags(git, {
    version: inputs.version,
    extraTags: inputs.extraTags,
    latest: inputs.latest,
  });
  if (!tags.length)
    throw new UserError('no tag could be derived from the ref; set input "version" or "tags"');
  const manifest = readManifest(contextDir);
  const labels = ociLabels({
    context: git,
    version,
    created: startedOn,
    fallbackDescription: manifest.description,
    fallbackLicense: manifest.license,
    extra: inputs.extraLabels,
  });
  if (inputs.image !== inputs.imageAsGiven.trim()) {
    core.info(`Image name normalised: ${inputs.imageAsGiven} → ${inputs.image}`);
  }
  core.setOutput('image', inputs.image);
  core.setOutput('version', version);
  core.setOutput('labels', JSON.stringify(labels));

  const audit = openAuditFromConfig({
    config: loaded.config,
    action: 'build-and-sbom',
    environment,
    fileInput: inputs.auditLog,
  });
  core.setOutput('audit-log', audit.file);
  await audit.emit((scope) =>
    taskRunStarted(scope, {
      details: { image: inputs.image, tags, push: inputs.push, builder: inputs.builder },
    }),
  );

  const workDir = mkdtempSync(join(runnerTemp, 'build-and-sbom-'));
  const outputDir = resolve(workspace, inputs.sbomPath ?? join(runnerTemp, 'sbom'));
  let outcome: BuildOutcome = { tags: [] };
  let finished = false;
  try {
    const builder = await chooseBuilder(inputs.builder, exec, {
      buildah: { storageDriver: inputs.buildahStorageDriver, isolation: inputs.buildahIsolation },
      retry: { attempts: inputs.pushAttempts, deadlineMs: 15 * 60_000 },
    });
    core.setOutput('builder', builder.name);
    const secretFiles = { ...writeSecretFiles(workDir, inputs.secrets), ...inputs.secretFiles };
    const request: BuildRequest = {
      image: inputs.image,
      tags,
      context: contextDir,
      file: inputs.file ? resolve(workspace, inputs.file) : undefined,
      target: inputs.target,
      platforms: inputs.platforms,
      buildArgs: inputs.buildArgs,
      labels,
      secretFiles,
      cacheFrom: inputs.cacheFrom,
      cacheTo: inputs.cacheTo,
      push: inputs.push,
      insecureRegistry: inputs.insecureRegistry,
      credentials:
        inputs.username && inputs.password
          ? { registry: inputs.registry, username: inputs.username, password: inputs.password }
          : undefined,
      workDir,
      signal,
    };

    core.info(`Building ${inputs.image} with ${builder.name}: ${tags.join(', ')}`);
    const built = await builder.build(request);
    rmSync(join(workDir, 'secrets'), { recursive: true, force: true });

    const sbomFor = async (digest: string | undefined): Promise<SbomResult | undefined> => {
      if (!lock) return undefined;
      const image: DescribedImage | undefined = digest
        ? { name: inputs.image, digest, version, purl: ociPurl(inputs.image, digest) }
        : undefined;
      // Loaded here, not at start: the renderers, ajv and the CycloneDX library are most of the bundle.
      const { generateSboms } = await import('./sbom/generate.js');
      return generateSboms(lock, {
        lockfile: lock.file,
        outputDir,
        formats: inputs.sbomFormats,
        includeDev: inputs.includeDev,
        toolVersion: SUITE_VERSION,
        timestamp: startedOn,
        image,
        organization: git.repository?.split('/')[0],
      });
    };
    const checksums = (sbom: SbomResult | undefined): Record<string, string> => ({
      ...(sbom?.cyclonedx ? { 'sbom.cdx.json': sbom.cyclonedx.sha256 } : {}),
      ...(sbom?.spdx ? { 'sbom.spdx.json': sbom.spdx.sha256 } : {}),
    });

    let sbom = await sbomFor(built.localDigest);
    if (built.localDigest) {
      const localDigest = built.localDigest;
      await audit.emit((scope) =>
        artifactPackaged(scope, {
          artifactId: ociPurl(inputs.image, localDigest),
          image: inputs.image,
          digest: localDigest,
          version,
          checksums: checksums(sbom),
          details: { builder: builder.name, tags, sbomComponents: sbom?.components },
        }),
      );
    }

    let digest = built.localDigest;
    let pushedTags: string[] = [];
    if (inputs.push) {
      try {
        const pushed = await builder.push(request);
        pushedTags = pushed.pushedTags;
        if (pushed.digest !== built.localDigest) {
          if (built.localDigest) {
            core.warning(
              `The registry holds ${pushed.digest}, not the built ${built.localDigest}; the SBOM names the pushed one.`,
            );
          }
          sbom = await sbomFor(pushed.digest);
        }
        digest = pushed.digest;
      } catch (error) {
        if (error instanceof PushError) {
          outcome = { tags: imageRefs(inputs.image, error.pushedTags), digest: error.digest };
          core.setOutput('tags', JSON.stringify(outcome.tags));
        }
        throw error;
      }
      const pushedDigest = digest!;
      await audit.emit((scope) =>
        artifactPublished(scope, {
          artifactId: ociPurl(inputs.image, pushedDigest),
          image: inputs.image,
          digest: pushedDigest,
          version,
          checksums: checksums(sbom),
          details: { registry: inputs.registry, tags: pushedTags },
        }),
      );
    }

    let provenancePath: string | undefined;
    if (inputs.provenance && digest) {
      mkdirSync(outputDir, { recursive: true });
      provenancePath = join(outputDir, 'provenance.intoto.json');
      const byproducts = [
        ...(sbom?.cyclonedx
          ? [
              {
                name: 'sbom.cdx.json',
                sha256: sbom.cyclonedx.sha256,
                mediaType: 'application/vnd.cyclonedx+json',
              },
            ]
          : []),
        ...(sbom?.spdx
          ? [{ name: 'sbom.spdx.json', sha256: sbom.spdx.sha256, mediaType: 'application/spdx+json' }]
          : []),
      ];
      const statement = provenanceStatement({
        image: inputs.image,
        digest,
        git,
        env,
        build: {
          builder: builder.name,
          context: inputs.context,
          file: inputs.file,
          target: inputs.target,
          platforms: inputs.platforms,
          buildArgNames: Object.keys(inputs.buildArgs),
          tags,
        },
        startedOn,
        finishedOn: new Date(),
        byproducts,
      });
      writeFileSync(provenancePath, `${JSON.stringify(statement, null, 2)}\n`);
      core.setOutput('provenance', provenancePath);
    }

    outcome = { digest, tags: imageRefs(inputs.image, inputs.push ? pushedTags : tags) };
    core.setOutput('tags', JSON.stringify(outcome.tags));
    if (digest) {
      core.setOutput('digest', digest);
      core.setOutput('image-ref', `${inputs.image}@${digest}`);
    }
    if (sbom?.cyclonedx) core.setOutput('sbom-cyclonedx', sbom.cyclonedx.path);
    if (sbom?.spdx) core.setOutput('sbom-spdx', sbom.spdx.path);
    if (sbom) core.setOutput('ntia-report', sbom.ntiaFile.path);
    if (sbom && !sbom.ntia.complete) {
      core.notice(
        `SBOM: ${sbom.components} components; NTIA gaps: ${sbom.ntia.counts.supplier} without supplier, ${sbom.ntia.counts.hash} without hash, ${sbom.ntia.counts.version} without version`,
      );
    }

    await audit.emit((scope) =>
      taskRunFinished(scope, {
        outcome: 'success',
        image: inputs.image,
        ...(digest ? { digest } : {}),
        version,
        checksums: {
          ...checksums(sbom),
          ...(provenancePath ? { 'provenance.intoto.json': sha256File(provenancePath) } : {}),
        },
      }),
    );
    finished = true;
    await audit.close();
    buildSummary({
      image: inputs.image,
      builder: builder.name,
      version,
      tags: outcome.tags,
      pushed: inputs.push,
      digest,
      sbom,
      provenancePath,
      labels,
      auditMarkdown: audit.summaryMarkdown(),
      configMarkdown: loaded.files.length
        ? effectiveConfigMarkdown(loaded.config, loaded.secretPaths, loaded)
        : undefined,
    }).write();
    return outcome;
  } catch (error) {
    if (!finished) {
      await audit.emit((scope) =>
        taskRunFinished(scope, {
          outcome: signal.aborted ? 'cancel' : 'failure',
          reason: (error as Error).message,
          image: inputs.image,
        }),
      );
      await audit.close();
    }
    // A PushError carries a builder message; the user-facing cause is more useful when there is one.
    if (error instanceof PushError && error.cause instanceof UserError) throw error.cause;
    throw error;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
