import * as core from '@actions/core';
import * as exec from '@actions/exec';

export interface CommandResult {
  command: string[];
  exitCode: number;
  durationMs: number;
  error?: string;
}

/**
 * Runs each command as an argument array (no shell), timed and folded into a log group. A
 * failing command does not stop the rest: test runners exit non-zero and still write the
 * reports the gates read.
 */
export async function runCommands(
  commands: readonly string[][],
  cwd: string,
  signal: AbortSignal,
): Promise<CommandResult[]> {
  const results: CommandResult[] = [];
  for (const command of commands) {
    if (signal.aborted) break;
    const [tool, ...args] = command as [string, ...string[]];
    const started = performance.now();
    const result = await core.group(`$ ${command.join(' ')}`, async (): Promise<CommandResult> => {
      try {
        const exitCode = await exec.exec(tool, args, { cwd, ignoreReturnCode: true });
        return { command, exitCode, durationMs: 0 };
      } catch (error) {
        return { command, exitCode: -1, durationMs: 0, error: (error as Error).message };
      }
    });
    result.durationMs = Math.round(performance.now() - started);
    core.info(`${command[0]} exited ${result.exitCode} after ${(result.durationMs / 1000).toFixed(1)} s`);
    results.push(result);
  }
  return results;
}
