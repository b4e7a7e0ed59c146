#!/usr/bin/env node
// Entry of the `deploy-audit-verify` command, bundled to dist/audit-verify/index.js.
import { runVerifyCommand } from './verify-command.js';

process.exitCode = await runVerifyCommand(process.argv.slice(2));
