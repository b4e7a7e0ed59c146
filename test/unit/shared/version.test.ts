import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SUITE_VERSION } from '../../../shared/version.js';
import { repoRoot } from '../../support/harness.js';

it('records the version package.json declares', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  expect(SUITE_VERSION).toBe(pkg.version);
});
