import type { KObj, ResourceType } from './resources.js';

/** Server-side printing (`meta.k8s.io/v1 Table`), which `kubectl get` asks for. */

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept);
}

let nowFn: () => number = () => Date.now();

/** The simulator's clock, so ages agree with its timestamps. */
export function setTableClock(now: () => number): void {
  nowFn = now;
}

export function age(timestamp: string | undefined): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((nowFn() - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell: (o: KObj) => unknown;
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };
const AGE: Column = { name: 'Age', type: 'string', cell: (o) => age(o.metadata.creationTimestamp) };

function columns(kind: string): Column[] {
  switch (kind) {
    case 'Deployment':
      return [
        NAME,
        {
          name: 'Ready',
          type: 'string',
          cell: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`,
        },
        { name: 'Up-to-date', type: 'integer', cell: (o) => o.status?.updatedReplicas ?? 0 },
        { name: 'Available', type: 'integer', cell: (o) => o.status?.availableReplicas ?? 0 },
        AGE,
        {
          name: 'Containers',
          type: 'string',
          priority: 1,
          cell: (o) => (o.spec?.template?.spec?.containers ?? []).map((c: KObj) => c.name).join(','),
        },
        {
          name: 'Images',
          type: 'string',
          priority: 1,
          cell: (o) => (o.spec?.template?.spec?.containers ?? []).map((c: KObj) => c.image).join(','),
        },
      ];
    case 'ReplicaSet':
      return [
        NAME,
        { name: 'Desired', type: 'integer', cell: (o) => o.spec?.replicas ?? 0 },
        { name: 'Current', type: 'integer', cell: (o) => o.status?.replicas ?? 0 },
        { name: 'Ready', type: 'integer', cell: (o) => o.status?.readyReplicas ?? 0 },
        AGE,
      ];
    case 'Pod':
      return [
        NAME,
        {
          name: 'Ready',
          type: 'string',
          cell: (o) => {
            const statuses: KObj[] = o.status?.containerStatuses ?? [];
            return `${statuses.filter((s) => s.ready).length}/${(o.spec?.containers ?? []).length}`;
          },
        },
        {
          name: 'Status',
          type: 'string',
          cell: (o) => {
            if (o.metadata.deletionTimestamp) return 'Terminating';
            const waiting = (o.status?.containerStatuses ?? []).find((s: KObj) => s.state?.waiting?.reason);
            return waiting?.state.waiting.reason ?? o.status?.phase ?? 'Pending';
          },
        },
        {
          name: 'Restarts',
          type: 'string',
          cell: (o) =>
            String(
              (o.status?.containerStatuses ?? []).reduce(
                (n: number, s: KObj) => n + (s.restartCount ?? 0),
                0,
              ),
            ),
        },
        AGE,
      ];
    case 'Service':
      return [
        NAME,
        { name: 'Type', type: 'string', cell: (o) => o.spec?.type },
        { name: 'Cluster-IP', type: 'string', cell: (o) => o.spec?.clusterIP ?? '<none>' },
        { name: 'External-IP', type: 'string', cell: () => '<none>' },
        {
          name: 'Port(s)',
          type: 'string',
          cell: (o) =>
            (o.spec?.ports ?? []).map((p: KObj) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>',
        },
        AGE,
      ];
    case 'Namespace':
      return [NAME, { name: 'Status', type: 'string', cell: (o) => o.status?.phase }, AGE];
    default:
      return [NAME, AGE];
  }
}

export function toTable(type: ResourceType, items: KObj[], resourceVersion: string, cont?: string): KObj {
  const cols = columns(type.kind);
  const metadata: KObj = { resourceVersion };
  if (cont) metadata.continue = cont;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.name,
      priority: c.priority ?? 0,
    })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: o.metadata,
      },
    })),
  };
}
