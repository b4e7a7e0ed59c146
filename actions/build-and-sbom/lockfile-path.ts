import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../../shared/errors.js';

const NAMES = ['npm-shrinkwrap.json', 'package-lock.json'];

/** The lockfile input, else the first npm lockfile in the build context, else in the workspace root. */
export function findLockfile(input: string | undefined, context: string, workspace: string): string {
  if (input) {
    const path = isAbsolute(input) ? input : resolve(workspace, input);
    if (!existsSync(path)) throw new UserError(`input "lockfile": ${input} does not exist`);
    return path;
  }
  const dirs = [resolve(workspace, context), workspace];
  for (const dir of dirs) {
    for (const name of NAMES) if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new UserError(
    `no npm lockfile (package-lock.json or npm-shrinkwrap.json) in ${dirs.join(' or ')}; set input "lockfile", or "sbom-format: none"`,
  );
}
