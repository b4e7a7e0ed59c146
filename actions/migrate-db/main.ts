import { runAction } from '../../shared/run-action.js';
import { readInputs } from './inputs.js';
import { migrate } from './migrate.js';

await runAction(async (signal) => {
  await migrate(readInputs(), signal);
});
