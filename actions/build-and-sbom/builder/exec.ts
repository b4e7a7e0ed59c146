import * as exec from '@actions/exec';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Written to the tool's stdin (e.g. a password for --password-stdin), never to its arguments. */
  input?: string;
  /** Keep the command's output out of the log (probes). */
  silent?: boolean;
}

/** The process boundary of the builders: argument arrays only, never a shell string. */
export type Exec = (command: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

export const runCommand: Exec = async (command, args, options = {}) => {
  try {
    const result = await exec.getExecOutput(command, [...args], {
      ignoreReturnCode: true,
      silent: options.silent ?? false,
      ...(options.input !== undefined ? { input: Buffer.from(options.input) } : {}),
    });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    // A missing executable is an answer ("not installed"), not a crash.
    return { exitCode: 127, stdout: '', stderr: (error as Error).message };
  }
};

/** The last meaningful line of a tool's error output, for messages. */
export function lastErrorLine(result: ExecResult): string {
  const lines = `${result.stderr}\n${result.stdout}`
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  return (
    lines.findLast((line) => /error|denied|unauthori[sz]ed|fail/i.test(line)) ??
    lines.at(-1) ??
    `exit code ${result.exitCode}`
  );
}
