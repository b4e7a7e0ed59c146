export {
  defaultConfigPath,
  type LoadEnvironmentConfigOptions,
  type LoadedEnvironmentConfig,
  loadEnvironmentConfig,
} from './load.js';
export type { ConfigOverride, ConfigOverrides } from './overrides.js';
export {
  DEFAULT_CANARY_PAUSE,
  DEFAULT_CANARY_PAUSES,
  DEFAULT_CANARY_STEPS,
  type EnvironmentConfig,
  environmentConfigSchema,
} from './schema.js';
export { isSecretRef, parseSecretRef, type SecretRef } from './secret-ref.js';
export { createSecretsClient } from './secrets-client.js';
export { effectiveConfigMarkdown, type SummaryDetails } from './summary.js';
export { formatDuration, formatPercent, parseDuration, parsePercent } from './units.js';
