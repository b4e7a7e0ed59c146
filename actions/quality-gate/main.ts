import { runAction } from '../../shared/run-action.js';
import { readInputs } from './inputs.js';
import { qualityGate } from './quality-gate.js';

await runAction(async (signal) => {
  await qualityGate(readInputs(), signal);
});
