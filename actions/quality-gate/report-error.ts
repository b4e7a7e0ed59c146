import { UserError } from '../../shared/errors.js';

/** A report that cannot be used: the message names the file and, where known, the position. */
export class ReportError extends UserError {
  constructor(
    readonly file: string,
    problem: string,
    readonly position?: { line: number; column?: number },
  ) {
    const where = position ? `${file}:${position.line}${position.column ? `:${position.column}` : ''}` : file;
    super(`${where}: ${problem}`);
  }
}
