import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { registerSecret } from '../secrets.js';

/** Where the cluster credentials come from: a kubeconfig file, or its content given inline. */
export type KubeconfigSource = { kind: 'file'; path: string } | { kind: 'inline'; content: string };

/** Inline content is YAML or JSON with more than one line, or starts like a kubeconfig. */
function looksInline(value: string): boolean {
  const trimmed = value.trim();
  return trimmed.includes('\n') || trimmed.startsWith('{') || /^apiVersion\s*:/.test(trimmed);
}

/**
 * The `kubeconfig` input as a path or inline content; empty means the runner's KUBECONFIG
 * (first existing entry of the list), then ~/.kube/config.
 */
export function resolveKubeconfigSource(
  input: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  workspace: string = env.GITHUB_WORKSPACE ?? process.cwd(),
): KubeconfigSource {
  if (input && looksInline(input)) {
    registerKubeconfigSecrets(input);
    return { kind: 'inline', content: input };
  }
  if (input) {
    const path = input.startsWith('/') ? input : join(workspace, input);
    if (!existsSync(path)) throw new UserError(`input "kubeconfig": no file at ${input}`);
    return { kind: 'file', path };
  }
  const candidates = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
  candidates.push(join(env.HOME ?? homedir(), '.kube', 'config'));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new UserError(
      'no kubeconfig: set the "kubeconfig" input (a path or the file content) or KUBECONFIG',
    );
  }
  return { kind: 'file', path: found };
}

const SECRET_FIELDS = ['token', 'client-key-data', 'password', 'client-certificate-data'];

/** Masks every credential inside inline kubeconfig content before anything can print it. */
export function registerKubeconfigSecrets(content: string): string[] {
  registerSecret(content);
  let parsed: unknown;
  try {
    parsed = parse(content);
  } catch {
    return [];
  }
  const found: string[] = [];
  const users = (parsed as { users?: { user?: Record<string, unknown> }[] } | null)?.users ?? [];
  for (const entry of Array.isArray(users) ? users : []) {
    for (const field of SECRET_FIELDS) {
      const value = entry?.user?.[field];
      if (typeof value === 'string' && value) {
        registerSecret(value);
        found.push(value);
      }
    }
  }
  return found;
}
