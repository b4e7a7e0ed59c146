import { isConflict } from './api-error.js';

/**
 * Runs a read-modify-write until it lands: a 409 Conflict means someone changed the object
 * between our read and our write, so read it again and redo the change.
 */
export async function withConflictRetry<T>(
  update: () => Promise<T>,
  options: { attempts?: number; onConflict?: () => void } = {},
): Promise<T> {
  const attempts = options.attempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    try {
      return await update();
    } catch (error) {
      if (!isConflict(error) || attempt >= attempts) throw error;
      options.onConflict?.();
    }
  }
}
