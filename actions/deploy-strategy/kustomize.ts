import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../../shared/errors.js';

/** How much of kubectl's stderr a failure message quotes. */
const STDERR_LIMIT = 4000;

/**
 * Renders a kustomization directory with the runner's kubectl (`kubectl kustomize <dir>`, the
 * kustomize built into kubectl, so no second tool is needed) and returns the YAML it prints.
 */
export async function renderKustomization(
  dir: string,
  workspace: string,
  signal?: AbortSignal,
): Promise<string> {
  const path = isAbsolute(dir) ? dir : resolve(workspace, dir);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new UserError(`input "kustomize": ${dir} does not exist`);
  }
  if (!isDirectory) throw new UserError(`input "kustomize": ${dir} is not a directory`);

  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (done, fail) => {
      const child = spawn('kubectl', ['kustomize', path], {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(signal ? { signal } : {}),
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        err += chunk;
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') {
          fail(
            new UserError(
              `input "kustomize": kubectl is not installed on the runner (it renders ${dir} with "kubectl kustomize"); install kubectl in an earlier step, e.g. with azure/setup-kubectl`,
            ),
          );
        } else fail(error);
      });
      child.on('close', (exitCode) => done({ code: exitCode, stdout: out, stderr: err }));
    },
  );
  if (code !== 0) {
    const reason = stderr.trim().slice(0, STDERR_LIMIT) || 'no error output';
    throw new UserError(`input "kustomize": kubectl kustomize ${dir} failed (exit ${code}): ${reason}`);
  }
  return stdout;
}
