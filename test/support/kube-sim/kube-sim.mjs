#!/usr/bin/env node
// Runs the simulator's TypeScript sources directly on Node 24 (see ../strip-types-hook.mjs).
// Usage: node test/support/kube-sim/kube-sim.mjs [--port N] [--namespace NS] [--clock-speed N] [--tls]
import '../strip-types-hook.mjs';

const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
