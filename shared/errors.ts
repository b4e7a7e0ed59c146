/**
 * A mistake the user can fix (a bad input, config value or report). Actions print its message
 * alone, without a stack trace, so the message must name what was wrong and where.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
}

/** Where in a file a value came from; line and column are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** A config file problem, located at `file:line:column` and at a dotted value path. */
export class ConfigError extends UserError {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export interface ConfigProblem {
  position?: SourcePosition | undefined;
  /** Dotted path of the value, e.g. `canary.steps[2]`; empty for the whole document. */
  path: string;
  message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.position
    ? `${problem.position.file}:${problem.position.line}:${problem.position.column}`
    : '';
  return [where, problem.path ? `${problem.path}:` : '', problem.message].filter(Boolean).join(' ');
}

/** Formats a key path the way users write it: `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
