import { runAction } from '../../shared/run-action.js';
import { canaryAnalyze } from './canary-analyze.js';
import { readInputs } from './inputs.js';

await runAction(async (signal) => {
  await canaryAnalyze(readInputs(), signal);
});
