import { UserError } from '../../shared/errors.js';
import { getBoolean, getDuration, getEnum, getInteger, getList, getString } from '../../shared/inputs.js';
import { registerSecret } from '../../shared/secrets.js';

export const STRATEGIES = ['rolling', 'blue-green', 'canary', 'recreate'] as const;
export type StrategyName = (typeof STRATEGIES)[number];
export const OPERATIONS = ['deploy', 'next-step', 'set-weight', 'promote'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Everything the action was given, read and checked once. */
export interface DeployInputs {
  environment: string;
  /** Undefined: the config's deployment.strategy. */
  strategy?: StrategyName;
  operation: Operation;
  weight?: number;
  step?: number;
  manifests: string[];
  /** Kustomization directory rendered with `kubectl kustomize`. */
  kustomize?: string;
  image?: string;
  container?: string;
  namespace?: string;
  deployment?: string;
  service?: string;
  ingress?: string;
  route?: string;
  kubeconfig?: string;
  context?: string;
  timeoutMs?: number;
  healthUrl?: string;
  previewUrl?: string;
  scaleDownDelayMs?: number;
  githubToken?: string;
  dryRun: boolean;
  configPath?: string;
  auditLog?: string;
}

/** The config spells rolling two ways; the action speaks one. */
export function normaliseStrategy(value: string): StrategyName {
  return value === 'rolling-update' ? 'rolling' : (value as StrategyName);
}

function httpUrl(name: string): string | undefined {
  const value = getString(name);
  if (value !== undefined && !/^https?:\/\/\S+$/.test(value)) {
    throw new UserError(`input "${name}": expected an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value;
}

const IMAGE = /^[a-z0-9]+([._/:-][a-zA-Z0-9_.-]+)*(@sha256:[0-9a-f]{64})?$/;

export function readInputs(): DeployInputs {
  const operation = getEnum('action', OPERATIONS) ?? 'deploy';
  const strategyRaw = getEnum('strategy', [...STRATEGIES, 'rolling-update']);
  const weight = getInteger('weight', { min: 0, max: 100 });
  const step = getInteger('step', { min: 1 });
  if (operation === 'set-weight' && weight === undefined && step === undefined) {
    throw new UserError(
      'input "action": set-weight needs "weight" (0-100) or "step" (1-based index into canary.steps)',
    );
  }
  const image = getString('image');
  if (image && !IMAGE.test(image)) {
    throw new UserError(
      `input "image": expected an image reference such as registry/app:1.2 or registry/app@sha256:<64 hex>, got ${JSON.stringify(image)}`,
    );
  }
  const kubeconfig = getString('kubeconfig');
  const githubToken = getString('github-token');
  if (githubToken) registerSecret(githubToken);
  return {
    environment: getString('environment', { required: true }),
    ...(strategyRaw ? { strategy: normaliseStrategy(strategyRaw) } : {}),
    operation,
    ...(weight !== undefined ? { weight } : {}),
    ...(step !== undefined ? { step } : {}),
    manifests: getList('manifests'),
    ...(getString('kustomize') ? { kustomize: getString('kustomize') } : {}),
    ...(image ? { image } : {}),
    ...(getString('container') ? { container: getString('container') } : {}),
    ...(getString('namespace') ? { namespace: getString('namespace') } : {}),
    ...(getString('deployment') ? { deployment: getString('deployment') } : {}),
    ...(getString('service') ? { service: getString('service') } : {}),
    ...(getString('ingress') ? { ingress: getString('ingress') } : {}),
    ...(getString('route') ? { route: getString('route') } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(getString('context') ? { context: getString('context') } : {}),
    ...(getDuration('timeout') !== undefined ? { timeoutMs: getDuration('timeout') } : {}),
    ...(httpUrl('health-url') ? { healthUrl: httpUrl('health-url') } : {}),
    ...(httpUrl('preview-url') ? { previewUrl: httpUrl('preview-url') } : {}),
    ...(getDuration('scale-down-delay') !== undefined
      ? { scaleDownDelayMs: getDuration('scale-down-delay') }
      : {}),
    ...(githubToken ? { githubToken } : {}),
    dryRun: getBoolean('dry-run', false),
    ...(getString('config') ? { configPath: getString('config') } : {}),
    ...(getString('audit-log') ? { auditLog: getString('audit-log') } : {}),
  };
}
