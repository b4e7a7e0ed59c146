import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** What Secrets Manager returned for one secret id: its text, or why there is none. */
export type FetchedSecret = { text: string; error?: undefined } | { text?: undefined; error: string };

/** BatchGetSecretValue takes at most 20 ids per call. */
const BATCH_SIZE = 20;

/**
 * Fetches each distinct secret id once: BatchGetSecretValue in groups of 20, then
 * GetSecretValue for any id the batch did not answer (the batch call refused, e.g. where an
 * IAM policy grants only GetSecretValue, or an id written as a partial ARN).
 */
export async function fetchSecrets(
  client: SecretsManagerClient,
  secretIds: readonly string[],
): Promise<Map<string, FetchedSecret>> {
  const results = new Map<string, FetchedSecret>();
  const ids = [...new Set(secretIds)];
  for (let start = 0; start < ids.length; start += BATCH_SIZE) {
    const group = ids.slice(start, start + BATCH_SIZE);
    await fetchBatch(client, group, results).catch(() => undefined);
    for (const id of group) {
      if (!results.has(id)) results.set(id, await fetchOne(client, id));
    }
  }
  return results;
}

async function fetchBatch(
  client: SecretsManagerClient,
  group: readonly string[],
  results: Map<string, FetchedSecret>,
): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new BatchGetSecretValueCommand({ SecretIdList: [...group], NextToken: nextToken }),
    );
    for (const value of page.SecretValues ?? []) {
      const id = group.find((candidate) => candidate === value.Name || candidate === value.ARN);
      if (id) results.set(id, secretText(value.SecretString));
    }
    for (const failure of page.Errors ?? []) {
      if (failure.SecretId && group.includes(failure.SecretId)) {
        results.set(failure.SecretId, { error: describeFailure(failure.ErrorCode, failure.Message) });
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
}

async function fetchOne(client: SecretsManagerClient, id: string): Promise<FetchedSecret> {
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: id }));
    return secretText(out.SecretString);
  } catch (error) {
    const { name, message } = error as Error;
    return { error: describeFailure(name, message) };
  }
}

function secretText(text: string | undefined): FetchedSecret {
  return text === undefined ? { error: 'holds binary data; only text secrets can be used' } : { text };
}

function describeFailure(code: string | undefined, message: string | undefined): string {
  switch (code) {
    case 'ResourceNotFoundException':
      return 'secret not found';
    case 'AccessDeniedException':
      return `access denied${message ? ` (${message})` : ''}`;
    case 'DecryptionFailure':
      return 'cannot be decrypted with its KMS key';
    default:
      return [code, message].filter(Boolean).join(': ') || 'cannot be read';
  }
}
