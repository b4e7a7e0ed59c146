/** A Kubernetes API answer other than 2xx, carrying the Status message the server gave. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly reason: string | undefined,
    readonly apiMessage: string,
  ) {
    super(`${method} ${path}: HTTP ${status}${reason ? ` ${reason}` : ''}: ${apiMessage}`);
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409;
}

/** Reads a Status body (or any text) into reason and message. */
export function describeStatusBody(text: string): { reason?: string; message: string } {
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    if (body && typeof body === 'object' && typeof body.message === 'string') {
      return { ...(body.reason ? { reason: body.reason } : {}), message: body.message };
    }
  } catch {
    // Not a Status object; keep the text.
  }
  return { message: text.slice(0, 500) || '(empty body)' };
}
