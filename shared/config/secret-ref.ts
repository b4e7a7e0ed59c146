/** `aws-sm://<secret-id>#<json-key>`: a config value kept in AWS Secrets Manager. */
export const SECRET_REF_PREFIX = 'aws-sm://';

export interface SecretRef {
  /** The reference as written. */
  ref: string;
  /** Name or ARN; may contain slashes. */
  secretId: string;
  /** Key inside a JSON secret; absent means the whole SecretString. */
  jsonKey?: string | undefined;
}

export function isSecretRef(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SECRET_REF_PREFIX);
}

/** Splits a reference; undefined when the id or the key after `#` is empty. */
export function parseSecretRef(ref: string): SecretRef | undefined {
  const body = ref.slice(SECRET_REF_PREFIX.length);
  const hash = body.indexOf('#');
  const secretId = hash < 0 ? body : body.slice(0, hash);
  const jsonKey = hash < 0 ? undefined : body.slice(hash + 1);
  if (!secretId.trim() || jsonKey === '') return undefined;
  return { ref, secretId, jsonKey };
}
