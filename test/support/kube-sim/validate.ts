import type { KObj, ResourceType } from './resources.js';
import { labelSelectorMatcher } from './selectors.js';
import { invalid, type StatusCause } from './status.js';

/**
 * Validation with the API server's field paths and messages, for the mistakes deploy tooling
 * makes: invalid names, missing selectors, selector/template mismatch, immutable selectors,
 * negative replicas, missing containers or images, both rolling-update limits zero.
 */

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function goMap(labels: KObj | undefined): string {
  const entries = Object.keys(labels ?? {})
    .sort()
    .map((k) => `"${k}":"${(labels as KObj)[k]}"`);
  return `map[string]string{${entries.join(', ')}}`;
}

function nameCauses(kind: string, name: unknown): StatusCause[] {
  const field = 'metadata.name';
  if (typeof name !== 'string' || name === '') {
    return [
      { reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field },
    ];
  }
  const causes: StatusCause[] = [];
  const label = kind === 'Namespace';
  const service = kind === 'Service';
  if (service) {
    if (!DNS1035_LABEL.test(name) || name.length > 63) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
        field,
      });
    }
  } else if (label) {
    if (!DNS1123_LABEL.test(name) || name.length > 63) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        field,
      });
    }
  } else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      field,
    });
  }
  return causes;
}

function labelCauses(labels: unknown, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (labels === undefined || labels === null) return causes;
  for (const [k, v] of Object.entries(labels as KObj)) {
    const value = String(v);
    if (value.length > 63 || (value !== '' && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(value))) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
        field: `${field}`,
      });
    }
    void k;
  }
  return causes;
}

function podSpecCauses(spec: KObj | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}.containers` });
    return causes;
  }
  const seen = new Set<string>();
  containers.forEach((c: KObj, i: number) => {
    const at = `${field}.containers[${i}]`;
    if (!c?.name)
      causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${at}.name` });
    else if (!DNS1123_LABEL.test(c.name)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${c.name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        field: `${at}.name`,
      });
    } else if (seen.has(c.name)) {
      causes.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: "${c.name}"`,
        field: `${at}.name`,
      });
    }
    if (c?.name) seen.add(c.name);
    if (!c?.image)
      causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${at}.image` });
  });
  return causes;
}

function percentOrInt(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) return Number(value.slice(0, -1));
  return undefined;
}

function workloadCauses(obj: KObj, old: KObj | undefined, kind: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = obj.spec ?? {};
  if (typeof spec.replicas === 'number' && spec.replicas < 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0`,
      field: 'spec.replicas',
    });
  }
  const selector = spec.selector;
  const empty =
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
  if (!selector) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
  } else if (empty) {
    causes.push({
      reason: 'FieldValueInvalid',
      message:
        'Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      field: 'spec.selector',
    });
  }
  const labels = spec.template?.metadata?.labels;
  if (selector && !empty && !labelSelectorMatcher(selector)(labels)) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``,
      field: 'spec.template.metadata.labels',
    });
  }
  causes.push(...labelCauses(labels, 'spec.template.metadata.labels'));
  causes.push(...podSpecCauses(spec.template?.spec, 'spec.template.spec'));
  if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(selector)) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(selector ?? null)}: field is immutable`,
      field: 'spec.selector',
    });
  }
  if (kind === 'Deployment') {
    const strategy = spec.strategy ?? {};
    if (strategy.type === 'RollingUpdate') {
      const ru = strategy.rollingUpdate ?? {};
      if (percentOrInt(ru.maxSurge) === 0 && percentOrInt(ru.maxUnavailable) === 0) {
        causes.push({
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0: may not be 0 when `maxSurge` is 0',
          field: 'spec.strategy.rollingUpdate.maxUnavailable',
        });
      }
    } else if (strategy.type === 'Recreate' && strategy.rollingUpdate) {
      causes.push({
        reason: 'FieldValueForbidden',
        message: "Forbidden: may not be specified when strategy `type` is 'Recreate'",
        field: 'spec.strategy.rollingUpdate',
      });
    } else if (strategy.type !== 'Recreate' && strategy.type !== 'RollingUpdate') {
      causes.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: "${strategy.type}": supported values: "Recreate", "RollingUpdate"`,
        field: 'spec.strategy.type',
      });
    }
  }
  return causes;
}

/** Throws a 422 `Status` when `obj` is invalid (on create, or on update when `old` is given). */
export function validate(type: ResourceType, obj: KObj, old?: KObj): void {
  const name = obj.metadata?.name;
  const causes: StatusCause[] = nameCauses(type.kind, name);
  causes.push(...labelCauses(obj.metadata?.labels, 'metadata.labels'));
  switch (type.kind) {
    case 'Deployment':
    case 'ReplicaSet':
      causes.push(...workloadCauses(obj, old, type.kind));
      break;
    case 'Pod':
      causes.push(...podSpecCauses(obj.spec, 'spec'));
      break;
    case 'Service': {
      const spec = obj.spec ?? {};
      if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None' && !(spec.ports ?? []).length) {
        causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.ports' });
      }
      break;
    }
    case 'HorizontalPodAutoscaler': {
      const spec = obj.spec ?? {};
      if (!spec.scaleTargetRef?.kind || !spec.scaleTargetRef?.name) {
        causes.push({
          reason: 'FieldValueRequired',
          message: 'Required value',
          field: 'spec.scaleTargetRef.name',
        });
      }
      if (!(typeof spec.maxReplicas === 'number' && spec.maxReplicas >= 1)) {
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${spec.maxReplicas ?? 0}: must be greater than or equal to 1`,
          field: 'spec.maxReplicas',
        });
      }
      break;
    }
  }
  if (causes.length) throw invalid(type, typeof name === 'string' ? name : '', causes);
}
