import { UserError } from '../../shared/errors.js';
import { getDuration, getEnum, getInteger, getString } from '../../shared/inputs.js';
import { registerSecret } from '../../shared/secrets.js';

export interface RollbackInputs {
  environment: string;
  when: 'always' | 'triggered';
  toRevision?: number;
  namespace?: string;
  deployment?: string;
  service?: string;
  container?: string;
  kubeconfig?: string;
  context?: string;
  reason?: string;
  prometheusUrl?: string;
  prometheusToken?: string;
  healthUrl?: string;
  timeoutMs?: number;
  configPath?: string;
  auditLog?: string;
}

function url(name: string): string | undefined {
  const value = getString(name);
  if (value !== undefined && !/^https?:\/\/\S+$/.test(value)) {
    throw new UserError(`input "${name}": expected an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function readInputs(): RollbackInputs {
  const prometheusToken = getString('prometheus-token');
  if (prometheusToken) registerSecret(prometheusToken);
  const pick = (name: string) => getString(name);
  const entries: [keyof RollbackInputs, unknown][] = [
    ['toRevision', getInteger('to-revision', { min: 1 })],
    ['namespace', pick('namespace')],
    ['deployment', pick('deployment')],
    ['service', pick('service')],
    ['container', pick('container')],
    ['kubeconfig', pick('kubeconfig')],
    ['context', pick('context')],
    ['reason', pick('reason')],
    ['prometheusUrl', url('prometheus-url')],
    ['prometheusToken', prometheusToken],
    ['healthUrl', url('health-url')],
    ['timeoutMs', getDuration('timeout')],
    ['configPath', pick('config')],
    ['auditLog', pick('audit-log')],
  ];
  return {
    environment: getString('environment', { required: true }),
    when: getEnum('when', ['always', 'triggered'] as const) ?? 'always',
    ...Object.fromEntries(entries.filter(([, value]) => value !== undefined)),
  };
}
