import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../../shared/errors.js';

/** In order of preference when a folder holds more than one (npm's shrinkwrap wins over its lock, as in npm). */
export const LOCKFILE_NAMES = ['npm-shrinkwrap.json', 'package-lock.json', 'pnpm-lock.yaml', 'yarn.lock'];

/** The lockfile input, else the first lockfile in the build context, else in the workspace root. */
export function findLockfile(input: string | undefined, context: string, workspace: string): string {
  if (input) {
    const path = isAbsolute(input) ? input : resolve(workspace, input);
    if (!existsSync(path)) throw new UserError(`input "lockfile": ${input} does not exist`);
    return path;
  }
  const dirs = [resolve(workspace, context), workspace];
  for (const dir of dirs) {
    for (const name of LOCKFILE_NAMES) if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new UserError(
    `no lockfile (${LOCKFILE_NAMES.join(', ')}) in ${dirs.join(' or ')}; set input "lockfile", or "sbom-format: none"`,
  );
}
