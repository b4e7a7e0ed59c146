import { UserError } from '../../shared/errors.js';
import { fetchWithRetry } from '../../shared/retry.js';

export interface ApprovalCheck {
  protected: boolean;
  reviewers: string[];
  approvers: string[];
  detail: string;
}

interface EnvironmentBody {
  protection_rules?: {
    type: string;
    reviewers?: { type: string; reviewer?: { login?: string; slug?: string } }[];
  }[];
}

/**
 * Checks through the GitHub API that the job's environment has required reviewers, so a
 * production deployment cannot run from an unprotected job, and reads who approved this run.
 */
export async function checkApproval(options: {
  environment: string;
  token: string | undefined;
  apiUrl: string;
  repository: string;
  runId?: string;
  signal?: AbortSignal;
}): Promise<ApprovalCheck> {
  if (!options.token) {
    throw new UserError(
      'deployment.requireApproval is set: input "github-token" is needed to verify the environment protection',
    );
  }
  const headers = {
    authorization: `Bearer ${options.token}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
  };
  const base = `${options.apiUrl.replace(/\/+$/, '')}/repos/${options.repository}`;
  const response = await fetchWithRetry(
    `${base}/environments/${encodeURIComponent(options.environment)}`,
    { headers },
    { ...(options.signal ? { signal: options.signal } : {}), deadlineMs: 30_000 },
  );
  if (response.status === 404) {
    throw new UserError(
      `deployment.requireApproval is set, but GitHub has no environment "${options.environment}" in ${options.repository}: give the job "environment: ${options.environment}" with required reviewers`,
    );
  }
  if (!response.ok) throw new Error(`GitHub environments API answered HTTP ${response.status}`);
  const body = (await response.json()) as EnvironmentBody;
  const rule = body.protection_rules?.find((r) => r.type === 'required_reviewers');
  const reviewers = (rule?.reviewers ?? []).map((r) => r.reviewer?.login ?? r.reviewer?.slug ?? r.type);
  if (!rule || reviewers.length === 0) {
    throw new UserError(
      `deployment.requireApproval is set, but environment "${options.environment}" has no required reviewers; refusing to deploy from an unprotected job`,
    );
  }
  let approvers: string[] = [];
  if (options.runId) {
    const approvals = await fetchWithRetry(
      `${base}/actions/runs/${options.runId}/approvals`,
      { headers },
      {
        ...(options.signal ? { signal: options.signal } : {}),
        deadlineMs: 30_000,
      },
    );
    if (approvals.ok) {
      const list = (await approvals.json()) as {
        state?: string;
        user?: { login?: string };
        environments?: { name?: string }[];
      }[];
      approvers = list
        .filter(
          (a) => a.state === 'approved' && (a.environments ?? []).some((e) => e.name === options.environment),
        )
        .map((a) => a.user?.login ?? '')
        .filter(Boolean);
    }
  }
  return {
    protected: true,
    reviewers,
    approvers,
    detail: `environment "${options.environment}" requires review by ${reviewers.join(', ')}${approvers.length ? `; approved by ${approvers.join(', ')}` : ''}`,
  };
}
