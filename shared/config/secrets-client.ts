import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * A Secrets Manager client configured the SDK's own way (AWS_REGION, profiles, AWS_ENDPOINT_URL,
 * the runner's OIDC credentials), with us-east-1 only when no region is set anywhere.
 */
export async function createSecretsClient(): Promise<SecretsManagerClient> {
  const client = new SecretsManagerClient({});
  try {
    await client.config.region();
    return client;
  } catch {
    client.destroy();
    return new SecretsManagerClient({ region: 'us-east-1' });
  }
}
