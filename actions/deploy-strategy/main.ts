import { runAction } from '../../shared/run-action.js';
import { deploy } from './deploy.js';
import { readInputs } from './inputs.js';

await runAction(async (signal) => {
  await deploy(readInputs(), signal);
});
