import { type LoadedEnvironmentConfig, loadEnvironmentConfig } from '../../shared/config/index.js';
import { UserError } from '../../shared/errors.js';
import type { DeployInputs, StrategyName } from './inputs.js';
import { normaliseStrategy } from './inputs.js';

/** The workload and the knobs one run acts on, inputs over config. */
export interface Target {
  namespace: string;
  deployment: string;
  container?: string;
  service?: string;
  previewService?: string;
  ingress?: string;
  route?: string;
  context?: string;
  strategy: StrategyName;
  timeoutMs: number;
  scaleDownDelayMs: number;
  leaseDurationMs: number;
  healthUrl?: string;
}

/** Loads the environment config with the inputs that override its keys. */
export async function loadDeployConfig(
  inputs: DeployInputs,
  workspace: string,
): Promise<LoadedEnvironmentConfig> {
  const o = (input: string, value: unknown) => ({ input, value });
  return loadEnvironmentConfig({
    environment: inputs.environment,
    path: inputs.configPath,
    workspace,
    overrides: {
      'kubernetes.namespace': o('namespace', inputs.namespace),
      'kubernetes.deployment': o('deployment', inputs.deployment),
      'kubernetes.container': o('container', inputs.container),
      'kubernetes.service': o('service', inputs.service),
      'kubernetes.ingress': o('ingress', inputs.ingress),
      'kubernetes.httpRoute': o('route', inputs.route),
      'kubernetes.context': o('context', inputs.context),
      'deployment.strategy': o('strategy', inputs.strategy),
      'health.baseUrl': o('health-url', inputs.healthUrl),
    },
  });
}

export function resolveTarget(inputs: DeployInputs, loaded: LoadedEnvironmentConfig): Target {
  const { config } = loaded;
  const kube = config.kubernetes;
  if (!kube) {
    throw new UserError(
      `${loaded.files.at(-1) ?? 'config'}: no "kubernetes" section; set kubernetes.namespace and kubernetes.deployment (or the "namespace" and "deployment" inputs)`,
    );
  }
  return {
    namespace: kube.namespace,
    deployment: kube.deployment,
    ...(kube.container ? { container: kube.container } : {}),
    ...(kube.service ? { service: kube.service } : {}),
    ...(kube.previewService ? { previewService: kube.previewService } : {}),
    ...(kube.ingress ? { ingress: kube.ingress } : {}),
    ...(kube.httpRoute ? { route: kube.httpRoute } : {}),
    ...(kube.context ? { context: kube.context } : {}),
    strategy: normaliseStrategy(config.deployment.strategy),
    timeoutMs: inputs.timeoutMs ?? config.deployment.timeout ?? 600_000,
    scaleDownDelayMs: inputs.scaleDownDelayMs ?? config.deployment.scaleDownDelay ?? 1_800_000,
    leaseDurationMs: config.deployment.leaseDuration ?? 3_600_000,
    ...(config.health.baseUrl ? { healthUrl: config.health.baseUrl } : {}),
  };
}
