import { runAction } from '../../shared/run-action.js';
import { readInputs } from './inputs.js';
import { rollback } from './rollback.js';

await runAction(async (signal) => {
  await rollback(readInputs(), signal);
});
