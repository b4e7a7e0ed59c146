/**
 * Who started this run and where it runs, read from the variables the GitHub runner sets.
 * Outside a runner (a local run, a test) the values are simply absent; reading never throws.
 */
export interface RunContext {
  /** The user or app whose action started the workflow (GITHUB_ACTOR). */
  actor?: string;
  /** The user who started this attempt; differs from `actor` on a re-run (GITHUB_TRIGGERING_ACTOR). */
  triggeringActor?: string;
  /** `owner/name`. */
  repository?: string;
  ref?: string;
  sha?: string;
  workflow?: string;
  job?: string;
  runId?: string;
  runAttempt?: string;
  /** Link to this attempt of the run; absent unless server, repository and run id are known. */
  runUrl?: string;
  eventName?: string;
  serverUrl?: string;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  const serverUrl = value('GITHUB_SERVER_URL')?.replace(/\/+$/, '');
  const repository = value('GITHUB_REPOSITORY');
  const runId = value('GITHUB_RUN_ID');
  const runAttempt = value('GITHUB_RUN_ATTEMPT');
  let runUrl: string | undefined;
  if (serverUrl && repository && runId) {
    runUrl = `${serverUrl}/${repository}/actions/runs/${runId}`;
    if (runAttempt) runUrl += `/attempts/${runAttempt}`;
  }
  return {
    actor: value('GITHUB_ACTOR'),
    triggeringActor: value('GITHUB_TRIGGERING_ACTOR'),
    repository,
    ref: value('GITHUB_REF'),
    sha: value('GITHUB_SHA'),
    workflow: value('GITHUB_WORKFLOW'),
    job: value('GITHUB_JOB'),
    runId,
    runAttempt,
    runUrl,
    eventName: value('GITHUB_EVENT_NAME'),
    serverUrl,
  };
}
