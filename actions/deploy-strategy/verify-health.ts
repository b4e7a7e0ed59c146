import type { EnvironmentConfig } from '../../shared/config/index.js';
import { UserError } from '../../shared/errors.js';
import { checkHealth, type HealthReport } from '../../shared/health-check.js';

/** Runs /health, /ready and /live against `baseUrl` with the environment's health settings. */
export async function verifyHealth(
  config: EnvironmentConfig,
  baseUrl: string | undefined,
  signal?: AbortSignal,
): Promise<HealthReport | undefined> {
  if (config.deployment.healthChecks === 'disabled') return undefined;
  if (!baseUrl) {
    if (config.deployment.healthChecks === 'mandatory') {
      throw new UserError(
        'deployment.healthChecks is mandatory: set health.baseUrl or the "health-url" input',
      );
    }
    return undefined;
  }
  return checkHealth({
    baseUrl,
    paths: config.health.paths,
    timeoutMs: config.health.timeout,
    retries: config.health.retries,
    intervalMs: config.health.interval,
    ...(signal ? { signal } : {}),
  });
}

export function describeHealth(report: HealthReport): string {
  return report.results
    .map(
      (r) =>
        `${r.endpoint} ${r.ok ? 'ok' : `failed (${r.detail ?? 'no answer'})`} after ${r.attempts} attempt(s)`,
    )
    .join('; ');
}
