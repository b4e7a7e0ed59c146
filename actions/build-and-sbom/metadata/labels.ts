import type { GitContext } from './git-context.js';

/**
 * The OCI annotation labels metadata-action sets: title, description, url, source, version,
 * created, revision, licenses. Values the event does not carry fall back to what the run
 * knows (repository name and URL) or to the project's package.json; `extra` overrides any.
 */
export interface LabelInputs {
  context: GitContext;
  version: string;
  created: Date;
  /** From the project manifest, when the event payload has no repository object. */
  fallbackDescription?: string;
  fallbackLicense?: string;
  extra?: Record<string, string>;
}

export function ociLabels(inputs: LabelInputs): Record<string, string> {
  const { context } = inputs;
  const repoUrl =
    context.htmlUrl ?? (context.repository ? `${context.serverUrl}/${context.repository}` : undefined);
  const title = context.repositoryName ?? context.repository?.split('/')[1];
  const labels: Record<string, string | undefined> = {
    'org.opencontainers.image.title': title,
    'org.opencontainers.image.description': context.description ?? inputs.fallbackDescription,
    'org.opencontainers.image.url': repoUrl,
    'org.opencontainers.image.source': repoUrl,
    'org.opencontainers.image.version': inputs.version,
    'org.opencontainers.image.created': inputs.created.toISOString(),
    'org.opencontainers.image.revision': context.sha || undefined,
    'org.opencontainers.image.licenses': context.licenseSpdxId ?? inputs.fallbackLicense,
  };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (value) out[key] = value;
  return { ...out, ...inputs.extra };
}
