import * as core from '@actions/core';
import { UserError } from './errors.js';

/**
 * The body of every action entry file. A UserError fails the step with its message alone; any
 * other error also prints its stack to the debug log. SIGINT/SIGTERM (the runner cancelling the
 * job) abort the signal handed to `main`, so it can restore a safe state before the runner kills
 * the process.
 */
export async function runAction(main: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const onSignal = (name: string) => () => {
    core.warning(`Received ${name}: the job is being cancelled; finishing safely.`);
    controller.abort(new CancelledError(`cancelled by ${name}`));
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    await main(controller.signal);
  } catch (error) {
    if (error instanceof UserError || error instanceof CancelledError) {
      core.setFailed(error.message);
    } else if (error instanceof Error) {
      core.debug(error.stack ?? error.message);
      core.setFailed(error.message);
    } else {
      core.setFailed(String(error));
    }
  } finally {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
  }
}

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}
