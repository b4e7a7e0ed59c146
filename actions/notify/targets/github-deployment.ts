import { getOctokit } from '@actions/github';
import { defaults } from '@actions/github/lib/utils';
import { type FetchRetryOptions, fetchWithRetry } from '../../../shared/retry.js';
import { type DeploymentMessage, headline, truncate } from '../message.js';
import type { DeliveryOptions } from './delivery-options.js';
import type { TargetResult } from './result.js';

type GitHubState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

/** How each deployment event reads on GitHub's environment page. */
export const GITHUB_STATE: Record<DeploymentMessage['status'], GitHubState> = {
  started: 'in_progress',
  success: 'success',
  failure: 'failure',
  cancelled: 'error',
  'rolled-back': 'failure',
  'approval-needed': 'queued',
};

export interface GitHubDeploymentTarget {
  token: string;
  repository: string;
  ref: string;
  deploymentId?: number;
  transient: boolean;
  production: boolean;
  autoInactive: boolean;
  payload?: Record<string, unknown>;
  task: string;
}

/** The toolkit's client, with every request going through the suite's retry policy and the runner's proxy. */
export function githubClient(token: string, retry: FetchRetryOptions) {
  const proxyFetch = defaults.request?.fetch as typeof globalThis.fetch | undefined;
  return getOctokit(token, {
    request: {
      fetch: (url: string, init: RequestInit) =>
        fetchWithRetry(url, init, { ...retry, ...(proxyFetch ? { fetch: proxyFetch } : {}) }),
    },
  });
}

export async function sendGitHubDeployment(
  message: DeploymentMessage,
  target: GitHubDeploymentTarget,
  options: DeliveryOptions,
): Promise<TargetResult> {
  const state = GITHUB_STATE[message.status];
  const description = truncate(
    [headline(message), message.reason].filter(Boolean).join(': '),
    140, // GitHub's limit on a deployment status description
  );
  if (options.dryRun) {
    return {
      target: 'github-deployment',
      ok: true,
      skipped: true,
      attempts: 0,
      detail: { state, description },
    };
  }
  const [owner, repo] = target.repository.split('/') as [string, string];
  const octokit = githubClient(target.token, options.retry);
  let attempts = 0;
  try {
    let deploymentId = target.deploymentId;
    if (deploymentId === undefined) {
      attempts++;
      const created = await octokit.rest.repos.createDeployment({
        owner,
        repo,
        ref: target.ref,
        environment: message.environment,
        task: target.task,
        // Deploy exactly the commit that was built; never let GitHub merge the default branch in.
        auto_merge: false,
        transient_environment: target.transient,
        production_environment: target.production,
        description: truncate(headline(message), 140),
        payload: JSON.stringify(target.payload ?? {}),
      });
      if (created.status === 202 || !('id' in created.data)) {
        // 202: GitHub merged the default branch into the ref instead of creating a deployment.
        const note = 'message' in created.data ? created.data.message : 'no deployment was created';
        return {
          target: 'github-deployment',
          ok: false,
          httpStatus: created.status,
          attempts,
          error: `GitHub did not create the deployment (${note}); deploy a ref that is up to date with the default branch`,
        };
      }
      deploymentId = created.data.id;
    }
    attempts++;
    const status = await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: deploymentId,
      state,
      description,
      environment: message.environment,
      auto_inactive: target.autoInactive,
      ...(message.runUrl ? { log_url: message.runUrl } : {}),
      ...(message.environmentUrl ? { environment_url: message.environmentUrl } : {}),
    });
    return {
      target: 'github-deployment',
      ok: true,
      httpStatus: status.status,
      attempts,
      detail: { deployment_id: String(deploymentId), state },
    };
  } catch (error) {
    const status = (error as { status?: number }).status;
    const apiMessage = (error as { response?: { data?: { message?: string } } }).response?.data?.message;
    let text = apiMessage ?? (error instanceof Error ? error.message : String(error));
    if (status === 409) {
      text = `GitHub refused the deployment (409: ${text}): a merge conflict or a failing required status check on ${target.ref}`;
    } else if (status === 403 || status === 401) {
      text = `${text} — the token needs the "deployments: write" permission`;
    }
    return {
      target: 'github-deployment',
      ok: false,
      ...(status ? { httpStatus: status } : {}),
      attempts: Math.max(attempts, 1),
      error: text,
    };
  }
}
