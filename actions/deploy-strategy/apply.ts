import { UserError } from '../../shared/errors.js';
import { KubeApiError } from '../../shared/kube/api-error.js';
import type { KubeClient } from '../../shared/kube/client.js';
import { objectPath } from '../../shared/kube/paths.js';
import { describeDoc, type ManifestDoc } from './manifests.js';

export interface AppliedObject {
  kind: string;
  name: string;
  source: string;
  /** resourceVersion before → after; equal means nothing changed. */
  changed: boolean;
}

/**
 * Server-side applies each document with the suite's field manager. An API refusal (422
 * Invalid and the like) is reported with the file and document it came from.
 */
export async function applyManifests(
  client: KubeClient,
  docs: readonly ManifestDoc[],
  options: { dryRun?: boolean } = {},
): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = [];
  for (const doc of docs) {
    const { apiVersion, kind, metadata } = doc.object;
    const path = objectPath(apiVersion, kind, metadata.name, metadata.namespace);
    const before = await client.get<{ metadata?: { resourceVersion?: string } }>(path);
    let after: { metadata?: { resourceVersion?: string } };
    try {
      after = await client.apply(path, doc.object, options.dryRun);
    } catch (error) {
      if (error instanceof KubeApiError && error.status >= 400 && error.status < 500) {
        throw new UserError(
          `${describeDoc(doc)}: ${kind} "${metadata.name}" was refused (HTTP ${error.status}): ${error.apiMessage}`,
        );
      }
      throw error;
    }
    applied.push({
      kind,
      name: metadata.name,
      source: describeDoc(doc),
      changed: before?.metadata?.resourceVersion !== after.metadata?.resourceVersion,
    });
  }
  return applied;
}
