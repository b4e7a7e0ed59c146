import * as exec from '@actions/exec';
import { UserError } from '../../shared/errors.js';

async function git(
  args: string[],
  cwd: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return exec.getExecOutput('git', args, { cwd, ignoreReturnCode: true, silent: true });
}

/** The base to diff against: the input, else the pull request's base branch on origin. */
export function resolveBaseRef(input: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (input) return input;
  if (env.GITHUB_BASE_REF) return `origin/${env.GITHUB_BASE_REF}`;
  throw new UserError(
    'changed-files-only needs a base to diff against: set the "base-ref" input (outside pull requests there is no GITHUB_BASE_REF)',
  );
}

/**
 * Files added, copied, modified or renamed since the merge base with `baseRef`, relative to the
 * repository root. A shallow clone without the base is an error, not an empty diff: an empty
 * list would make the new-code gate judge nothing.
 */
export async function changedFiles(baseRef: string, workspace: string): Promise<string[]> {
  const diff = await git(['diff', '--name-only', '--diff-filter=ACMR', '-z', `${baseRef}...HEAD`], workspace);
  if (diff.exitCode !== 0) {
    const shallow = await git(['rev-parse', '--is-shallow-repository'], workspace);
    const hint =
      shallow.stdout.trim() === 'true'
        ? ' The checkout is shallow: use actions/checkout with fetch-depth: 0 so the base commit is present.'
        : '';
    throw new UserError(
      `changed-files-only: cannot diff against "${baseRef}" (${diff.stderr.trim().split('\n')[0] || `git exited ${diff.exitCode}`}).${hint}`,
    );
  }
  return diff.stdout.split('\0').filter(Boolean);
}
