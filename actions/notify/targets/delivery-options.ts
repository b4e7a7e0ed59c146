import type { FetchRetryOptions } from '../../../shared/retry.js';

export interface DeliveryOptions {
  dryRun: boolean;
  retry: FetchRetryOptions;
}
