import { readFileSync } from 'node:fs';

/** What the tag and label rules need to know about the commit and the event that triggered the run. */
export interface GitContext {
  eventName: string;
  /** Full ref, e.g. refs/heads/main, refs/tags/v1.2.3, refs/pull/12/merge. */
  ref: string;
  sha: string;
  defaultBranch?: string;
  /** owner/name */
  repository?: string;
  serverUrl: string;
  /** From the event payload's repository object, when the event carries one. */
  repositoryName?: string;
  description?: string;
  htmlUrl?: string;
  licenseSpdxId?: string;
}

interface EventPayload {
  repository?: {
    name?: string;
    default_branch?: string;
    description?: string | null;
    html_url?: string;
    license?: { spdx_id?: string | null } | null;
  };
  pull_request?: { number?: number };
}

function readPayload(path: string | undefined): EventPayload {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EventPayload;
  } catch {
    return {};
  }
}

/** Reads the runner's variables and event payload; never throws (a local run simply knows less). */
export function readGitContext(env: NodeJS.ProcessEnv = process.env): GitContext {
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const repo = payload.repository;
  let ref = env.GITHUB_REF ?? '';
  // pull_request_target runs on the base branch; the PR number still names the image.
  if (
    !ref.startsWith('refs/pull/') &&
    payload.pull_request?.number &&
    /^pull_request/.test(env.GITHUB_EVENT_NAME ?? '')
  ) {
    ref = `refs/pull/${payload.pull_request.number}/merge`;
  }
  const license = repo?.license?.spdx_id;
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref,
    sha: env.GITHUB_SHA ?? '',
    defaultBranch: repo?.default_branch,
    repository: env.GITHUB_REPOSITORY,
    serverUrl: (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, ''),
    repositoryName: repo?.name,
    description: repo?.description ?? undefined,
    htmlUrl: repo?.html_url,
    licenseSpdxId: license && license !== 'NOASSERTION' ? license : undefined,
  };
}
