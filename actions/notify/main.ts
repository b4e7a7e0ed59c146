import { runAction } from '../../shared/run-action.js';
import { readInputs } from './inputs.js';
import { notify } from './notify.js';

await runAction(async (signal) => {
  await notify(readInputs(), signal);
});
