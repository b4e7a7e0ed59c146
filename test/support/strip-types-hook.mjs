// Lets Node 24 run this repository's TypeScript sources directly: Node strips the types
// itself but resolves `./x.js` specifiers literally, so a relative `.js` import that is not
// found from a `.ts` file is retried as the `.ts` file next to it; nothing else changes.
// Import it first: `import './strip-types-hook.mjs'` or `node --import <this file> x.ts`.
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
