/** A push that stopped part-way: the tags the registry did accept are kept, so outputs stay truthful. */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    message: string,
    readonly pushedTags: readonly string[],
    readonly digest: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
