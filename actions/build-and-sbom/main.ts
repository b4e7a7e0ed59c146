import { runAction } from '../../shared/run-action.js';
import { buildAndSbom } from './build-and-sbom.js';
import { readInputs } from './inputs.js';

await runAction(async (signal) => {
  await buildAndSbom(readInputs(), signal);
});
