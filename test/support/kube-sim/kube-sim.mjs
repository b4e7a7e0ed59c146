#!/usr/bin/env node
// Runs the simulator's TypeScript sources directly on Node 24, which strips types itself but
// resolves `./x.js` specifiers literally. This hook retries a relative `.js` import that is not
// found from a `.ts` file as the `.ts` file next to it; nothing else changes. Usage:
//   node test/support/kube-sim/kube-sim.mjs [--port N] [--namespace NS] [--clock-speed N] [--tls]
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const retry =
        error?.code === 'ERR_MODULE_NOT_FOUND' &&
        /^\.\.?\//.test(specifier) &&
        specifier.endsWith('.js') &&
        context.parentURL?.endsWith('.ts');
      if (!retry) throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});

const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
