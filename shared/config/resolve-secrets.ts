import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type ConfigProblem, formatPath } from '../errors.js';
import { registerSecret } from '../secrets.js';
import type { EnvironmentConfig } from './schema.js';
import { isSecretRef, parseSecretRef, type SecretRef } from './secret-ref.js';
import { findNode, type MapNode, type PathKey } from './tree.js';

export interface ResolvedSecrets {
  config: EnvironmentConfig;
  /** Dotted path → the `aws-sm://` reference written there. */
  secretPaths: Record<string, string>;
  problems: ConfigProblem[];
}

/**
 * Replaces every `aws-sm://` reference in a validated config with its value. Runs after
 * validation so no secret can appear in a validation message; each value is masked and
 * remembered for redaction before it is stored.
 */
export async function resolveSecrets(
  config: EnvironmentConfig,
  root: MapNode,
  getClient: () => Promise<SecretsManagerClient>,
): Promise<ResolvedSecrets> {
  const found = [...secretRefs(config)];
  const result: ResolvedSecrets = { config, secretPaths: {}, problems: [] };
  if (found.length === 0) return result;

  // A reference built from environment variables is named as written, like any interpolated value.
  const problem = (path: PathKey[], ref: string, message: string) => {
    const { node } = findNode(root, path);
    const shown = node.kind === 'scalar' && node.interpolated ? node.interpolated.template : ref;
    result.problems.push({
      position: node.origin.position,
      path: formatPath(path),
      message: `${shown}: ${message}`,
    });
  };

  const refs: [PathKey[], SecretRef][] = [];
  for (const [path, text] of found) {
    const ref = parseSecretRef(text);
    if (ref) refs.push([path, ref]);
    else problem(path, text, 'expected aws-sm://<secret-id> or aws-sm://<secret-id>#<json-key>');
  }
  if (refs.length === 0) return result;

  const { fetchSecrets } = await import('./fetch-secrets.js');
  const fetched = await fetchSecrets(
    await getClient(),
    refs.map(([, ref]) => ref.secretId),
  );
  const resolved = structuredClone(config);
  for (const [path, ref] of refs) {
    const secret = fetched.get(ref.secretId);
    const value =
      secret?.text === undefined ? { error: secret?.error ?? 'not fetched' } : pick(secret.text, ref.jsonKey);
    if (value.error !== undefined) {
      problem(path, ref.ref, value.error);
      continue;
    }
    registerSecret(value.text);
    setAt(resolved, path, value.text);
    result.secretPaths[formatPath(path)] = ref.ref;
  }
  result.config = resolved;
  return result;
}

function pick(
  text: string,
  jsonKey: string | undefined,
): { text: string; error?: undefined } | { error: string } {
  if (jsonKey === undefined) return { text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'not a JSON object' };
  if (!Object.hasOwn(parsed, jsonKey)) return { error: `key "${jsonKey}" not in the secret's JSON` };
  const value = (parsed as Record<string, unknown>)[jsonKey];
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number' || typeof value === 'boolean') return { text: String(value) };
  return { error: `key "${jsonKey}" in the secret's JSON is not text` };
}

function* secretRefs(value: unknown, path: PathKey[] = []): Generator<[PathKey[], string]> {
  if (isSecretRef(value)) yield [path, value];
  else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* secretRefs(item, [...path, index]);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* secretRefs(item, [...path, key]);
  }
}

function setAt(target: unknown, path: readonly PathKey[], value: string): void {
  let current = target as Record<PathKey, unknown>;
  for (const key of path.slice(0, -1)) current = current[key] as Record<PathKey, unknown>;
  current[path.at(-1) as PathKey] = value;
}
