import type { GitContext } from './metadata/git-context.js';

/**
 * An in-toto Statement v1 with a SLSA Provenance v1 predicate, shaped like the one GitHub's
 * actions/attest-build-provenance generates (buildType, workflow external parameters, the
 * commit as resolved dependency, builder id from the workflow ref, invocation id from the run
 * id and attempt), with the build's own parameters added.
 */

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SLSA_PREDICATE_TYPE = 'https://slsa.dev/provenance/v1';
export const GITHUB_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';

export interface ProvenanceInputs {
  image: string;
  digest: string;
  git: GitContext;
  env: NodeJS.ProcessEnv;
  build: {
    builder: string;
    context: string;
    file?: string;
    target?: string;
    platforms: readonly string[];
    /** Names only: values may be sensitive to someone, and names say what was configurable. */
    buildArgNames: readonly string[];
    tags: readonly string[];
  };
  startedOn: Date;
  finishedOn: Date;
  /** Files the build produced besides the image (the SBOMs), with their SHA-256. */
  byproducts: { name: string; sha256: string; mediaType: string }[];
}

export function provenanceStatement(inputs: ProvenanceInputs): Record<string, unknown> {
  const { git, env } = inputs;
  const server = git.serverUrl;
  const repository = git.repository ?? '';
  // GITHUB_WORKFLOW_REF: owner/repo/.github/workflows/file.yml@refs/heads/main
  const workflowRef = env.GITHUB_WORKFLOW_REF ?? '';
  const workflowPath = workflowRef.replace(/^[^/]+\/[^/]+\//, '').replace(/@.*$/, '');
  const runId = env.GITHUB_RUN_ID ?? '';
  const attempt = env.GITHUB_RUN_ATTEMPT ?? '1';
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: inputs.image, digest: { sha256: inputs.digest.replace(/^sha256:/, '') } }],
    predicateType: SLSA_PREDICATE_TYPE,
    predicate: {
      buildDefinition: {
        buildType: GITHUB_BUILD_TYPE,
        externalParameters: {
          workflow: { ref: git.ref, repository: `${server}/${repository}`, path: workflowPath },
          build: {
            context: inputs.build.context,
            ...(inputs.build.file ? { file: inputs.build.file } : {}),
            ...(inputs.build.target ? { target: inputs.build.target } : {}),
            platforms: [...inputs.build.platforms],
            buildArgs: [...inputs.build.buildArgNames],
            tags: [...inputs.build.tags],
          },
        },
        internalParameters: {
          github: {
            event_name: git.eventName,
            repository_id: env.GITHUB_REPOSITORY_ID ?? '',
            repository_owner_id: env.GITHUB_REPOSITORY_OWNER_ID ?? '',
            runner_environment: env.RUNNER_ENVIRONMENT ?? '',
          },
          builder: inputs.build.builder,
        },
        resolvedDependencies: [
          {
            uri: `git+${server}/${repository}@${git.ref}`,
            digest: { gitCommit: git.sha },
          },
        ],
      },
      runDetails: {
        builder: { id: workflowRef ? `${server}/${workflowRef}` : `${server}/${repository}` },
        metadata: {
          invocationId: `${server}/${repository}/actions/runs/${runId}/attempts/${attempt}`,
          startedOn: inputs.startedOn.toISOString(),
          finishedOn: inputs.finishedOn.toISOString(),
        },
        byproducts: inputs.byproducts.map((file) => ({
          name: file.name,
          digest: { sha256: file.sha256 },
          mediaType: file.mediaType,
        })),
      },
    },
  };
}
