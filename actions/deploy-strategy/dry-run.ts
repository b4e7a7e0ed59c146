import { readDeployment } from '../../shared/kube/deployments.js';
import { containerImage } from '../../shared/kube/objects.js';
import { objectPath, paths } from '../../shared/kube/paths.js';
import { applyManifests } from './apply.js';
import type { StrategyContext } from './context.js';

/**
 * Server-side dry run: every manifest goes through the API's validation and admission without
 * being stored; the summary shows what would change.
 */
export async function dryRun(ctx: StrategyContext): Promise<string[]> {
  const lines: string[] = [];
  const { client, target, inputs } = ctx;
  for (const doc of ctx.docs) {
    const { apiVersion, kind, metadata } = doc.object;
    const path = objectPath(apiVersion, kind, metadata.name, metadata.namespace);
    const before = await client.get(path);
    // Same refusal reporting as a real apply: the API's message with the file and document.
    await applyManifests(client, [doc], { dryRun: true });
    lines.push(
      `${before ? 'update' : 'create'} ${kind}/${metadata.name} (${doc.file}, document ${doc.index + 1}): accepted by the server`,
    );
  }
  if (ctx.docs.length === 0 && inputs.image) {
    const deployment = await readDeployment(client, target.namespace, target.deployment);
    lines.push(
      `image of ${paths.deployment(target.namespace, target.deployment)}: ${containerImage(deployment?.spec?.template, target.container) ?? '(none)'} → ${inputs.image}`,
    );
  }
  for (const line of lines) ctx.note(line);
  return lines;
}
