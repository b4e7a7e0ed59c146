import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UserError } from '../../shared/errors.js';
import { isClusterScoped } from '../../shared/kube/paths.js';

/** One object from a manifest file, with where it came from for error messages. */
export interface ManifestDoc {
  file: string;
  /** 0-based index of the document within its file. */
  index: number;
  object: Record<string, unknown> & {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
  };
}

export function describeDoc(doc: Pick<ManifestDoc, 'file' | 'index'>): string {
  return `${doc.file} (document ${doc.index + 1})`;
}

const MANIFEST_EXTENSIONS = new Set(['.yml', '.yaml', '.json']);

/** Files named by the input: files as given, directories expanded to their manifests (sorted, recursive). */
export function manifestFiles(entries: readonly string[], workspace: string): string[] {
  const files: string[] = [];
  for (const entry of entries) {
    const path = isAbsolute(entry) ? entry : resolve(workspace, entry);
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(path);
    } catch {
      throw new UserError(`input "manifests": ${entry} does not exist`);
    }
    if (stats.isDirectory()) {
      const found = walk(path).filter((file) => MANIFEST_EXTENSIONS.has(extname(file)));
      if (found.length === 0)
        throw new UserError(`input "manifests": directory ${entry} holds no .yml, .yaml or .json file`);
      files.push(...found);
    } else {
      files.push(path);
    }
  }
  return files;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** Parses every document of every file; empty documents are skipped, malformed ones named. */
export function loadManifests(entries: readonly string[], workspace: string): ManifestDoc[] {
  const docs: ManifestDoc[] = [];
  for (const path of manifestFiles(entries, workspace)) {
    const file = relative(workspace, path).startsWith('..') ? path : relative(workspace, path);
    docs.push(...parseManifests(readFileSync(path, 'utf8'), file));
  }
  return docs;
}

/** The objects of one multi-document YAML text; `file` names where it came from in errors. */
export function parseManifests(text: string, file: string): ManifestDoc[] {
  const docs: ManifestDoc[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    const where = describeDoc({ file, index });
    if ('errors' in document && document.errors.length > 0) {
      throw new UserError(`${where}: not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`);
    }
    const value = document.toJS() as unknown;
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new UserError(
        `${where}: expected a Kubernetes object (a map with apiVersion, kind and metadata)`,
      );
    }
    const object = value as Record<string, unknown>;
    if (object.kind === 'List' && Array.isArray(object.items)) {
      throw new UserError(`${where}: kind List is not supported; write one document per object`);
    }
    const metadata = object.metadata as { name?: unknown } | undefined;
    const missing = [
      typeof object.apiVersion !== 'string' && 'apiVersion',
      typeof object.kind !== 'string' && 'kind',
      typeof metadata?.name !== 'string' && 'metadata.name',
    ].filter(Boolean);
    if (missing.length) throw new UserError(`${where}: missing ${missing.join(', ')}`);
    docs.push({ file, index, object: object as ManifestDoc['object'] });
  });
  return docs;
}

/** Puts namespaced objects without a namespace into the target namespace; a different one is an error. */
export function placeInNamespace(docs: ManifestDoc[], namespace: string): void {
  for (const doc of docs) {
    if (isClusterScoped(doc.object.kind)) continue;
    const given = doc.object.metadata.namespace;
    if (given && given !== namespace) {
      throw new UserError(
        `${describeDoc(doc)}: ${doc.object.kind} "${doc.object.metadata.name}" is in namespace "${given}", but this environment deploys to "${namespace}"`,
      );
    }
    doc.object.metadata.namespace = namespace;
  }
}

interface PodSpecHolder {
  spec?: {
    template?: {
      spec?: {
        containers?: { name: string; image?: string }[];
        initContainers?: { name: string; image?: string }[];
      };
    };
  };
}

/**
 * Sets `image` on every container named `container` in the workloads of the manifests.
 * Returns how many were set; a container name that matches nothing is an error.
 */
export function substituteImage(docs: ManifestDoc[], container: string, image: string): number {
  let count = 0;
  const seen = new Set<string>();
  for (const doc of docs) {
    const spec = (doc.object as PodSpecHolder).spec?.template?.spec;
    for (const list of [spec?.containers, spec?.initContainers]) {
      for (const c of list ?? []) {
        seen.add(c.name);
        if (c.name === container) {
          c.image = image;
          count++;
        }
      }
    }
  }
  if (count === 0) {
    throw new UserError(
      `input "container": no container named "${container}" in the manifests (containers found: ${[...seen].join(', ') || 'none'})`,
    );
  }
  return count;
}

/** The Deployment the strategy acts on, from the manifests. */
export function findDeployment(docs: ManifestDoc[], name: string): ManifestDoc | undefined {
  return docs.find((doc) => doc.object.kind === 'Deployment' && doc.object.metadata.name === name);
}
