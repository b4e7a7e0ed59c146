import { UserError } from '../../shared/errors.js';
import type { Operation } from './inputs.js';

export interface CanaryPosition {
  /** 1-based index into the schedule; undefined for a weight set by hand off the schedule. */
  step?: number;
  weight: number;
}

/**
 * Where a canary operation moves the traffic. `deploy` starts at step 1; `next-step` moves
 * one on; `set-weight` with a step goes to that step (so a re-run of the same job is a no-op),
 * with a weight to that weight.
 */
export function nextPosition(
  operation: Exclude<Operation, 'promote'>,
  steps: readonly number[],
  current: CanaryPosition | undefined,
  requested: { step?: number; weight?: number } = {},
): CanaryPosition {
  const at = (step: number): CanaryPosition => {
    const weight = steps[step - 1];
    if (weight === undefined) {
      throw new UserError(
        `input "step": ${step} is past the last canary step (${steps.length} steps: ${steps.join(', ')})`,
      );
    }
    return { step, weight };
  };
  if (operation === 'deploy') return at(1);
  if (!current)
    throw new UserError(`action "${operation}" needs a canary in progress; run action "deploy" first`);
  if (operation === 'next-step') {
    const step = (current.step ?? steps.findIndex((w) => w > current.weight) + 0) + 1;
    if (step > steps.length)
      throw new UserError('the canary is already at its last step; run action "promote"');
    return at(step);
  }
  if (requested.step !== undefined) return at(requested.step);
  const weight = requested.weight!;
  const index = steps.indexOf(weight);
  return index >= 0 ? { step: index + 1, weight } : { weight };
}

/** The 1-based steps still to go after `position`; none once all traffic is on the canary. */
export function remainingSteps(steps: readonly number[], position: CanaryPosition | undefined): number[] {
  if (!position || position.weight >= 100) return [];
  const from = position.step ?? steps.filter((weight) => weight <= position.weight).length;
  return steps.map((_, i) => i + 1).filter((step) => step > from);
}
