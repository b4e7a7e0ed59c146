#!/usr/bin/env node
// Runs demo.ts on Node 24 straight from the sources (see test/support/strip-types-hook.mjs).
import '../test/support/strip-types-hook.mjs';

const { main } = await import('./demo.ts');
process.exitCode = await main(process.argv.slice(2));
