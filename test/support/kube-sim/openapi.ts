import { createHash } from 'node:crypto';
import { type KObj, RESOURCE_TYPES, type ResourceType } from './resources.js';

/**
 * A minimal OpenAPI v3 publication (`/openapi/v3` and one document per group-version), enough for
 * kubectl: `kubectl apply` (default `--validate=strict`) looks for the `fieldValidation` query
 * parameter on each kind's PATCH operation and, finding it, leaves validation to the server
 * instead of downloading schemas. The documents carry paths and operations, not schemas: the
 * PATCH request bodies leave out `application/strategic-merge-patch+json`, so kubectl computes
 * its strategic merge patches from its compiled-in types, which know every merge key.
 */

const PATCH_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
];

/** `api/v1`, `apis/apps/v1`, … */
function docPath(type: ResourceType): string {
  return type.group ? `apis/${type.group}/${type.version}` : `api/${type.version}`;
}

function itemPath(type: ResourceType): string {
  const ns = type.namespaced ? '/namespaces/{namespace}' : '';
  return `/${docPath(type)}${ns}/${type.plural}/{name}`;
}

function patchOperation(type: ResourceType, subresource = ''): KObj {
  const kind = subresource === '/scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : type;
  return {
    operationId: `patch${type.namespaced ? 'Namespaced' : ''}${type.kind}${subresource.replace('/', '_')}`,
    tags: [docPath(type).replace(/\//g, '_')],
    parameters: PATCH_PARAMETERS,
    requestBody: {
      required: true,
      content: Object.fromEntries(PATCH_CONTENT_TYPES.map((t) => [t, { schema: { type: 'object' } }])),
    },
    responses: { '200': { description: 'OK' }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': { group: kind.group, version: kind.version, kind: kind.kind },
  };
}

function documents(): Map<string, KObj> {
  const docs = new Map<string, KObj>();
  for (const type of RESOURCE_TYPES) {
    const key = docPath(type);
    const doc = docs.get(key) ?? {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'v1.32.0' },
      paths: {},
      components: { schemas: {} },
    };
    const base = itemPath(type);
    const parameters = [
      { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
      ...(type.namespaced
        ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }]
        : []),
    ];
    doc.paths[base] = { parameters, patch: patchOperation(type) };
    if (type.status) doc.paths[`${base}/status`] = { parameters, patch: patchOperation(type, '/status') };
    if (type.scale) doc.paths[`${base}/scale`] = { parameters, patch: patchOperation(type, '/scale') };
    docs.set(key, doc);
  }
  return docs;
}

const DOCS = documents();
const HASHES = new Map(
  [...DOCS].map(([key, doc]) => [
    key,
    createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase().slice(0, 128),
  ]),
);

/** `GET /openapi/v3`: where each group-version's document is. */
export function openApiV3Index(): KObj {
  return {
    paths: Object.fromEntries(
      [...DOCS.keys()].map((key) => [
        key,
        { serverRelativeURL: `/openapi/v3/${key}?hash=${HASHES.get(key)}` },
      ]),
    ),
  };
}

/** `GET /openapi/v3/<api/v1 | apis/group/version>`, or undefined for an unknown one. */
export function openApiV3Document(path: string): KObj | undefined {
  const key = path.replace(/^\/openapi\/v3\//, '');
  return DOCS.get(key);
}
