import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures for outgoing webhooks, in the two forms receivers commonly check:
 * - Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
 *   `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`;
 * - GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of body>`.
 */

const WHSEC_PREFIX = 'whsec_';

/** Receivers reject Standard Webhooks messages whose timestamp is further off than this. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export type WebhookSecret = string | Uint8Array;

/**
 * The key bytes of a Standard Webhooks secret: `whsec_<base64>` is decoded as the spec says;
 * any other string is used as its UTF-8 bytes.
 */
export function standardWebhookKey(secret: WebhookSecret): Buffer {
  if (typeof secret !== 'string') return Buffer.from(secret);
  if (secret.startsWith(WHSEC_PREFIX)) return Buffer.from(secret.slice(WHSEC_PREFIX.length), 'base64');
  return Buffer.from(secret, 'utf8');
}

/** `v1,<base64>` over `id.timestamp.body`. */
export function standardWebhookSignature(
  secret: WebhookSecret,
  id: string,
  timestamp: number,
  body: string | Uint8Array,
): string {
  const mac = createHmac('sha256', standardWebhookKey(secret)).update(`${id}.${timestamp}.`).update(body);
  return `v1,${mac.digest('base64')}`;
}

/**
 * `sha256=<hex>` over the body. GitHub uses the secret exactly as configured, so a `whsec_`
 * string is not decoded here: a GitHub-style receiver is given the same string.
 */
export function githubSignature256(secret: WebhookSecret, body: string | Uint8Array): string {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

export interface SignedWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'x-hub-signature-256': string;
}

/** Both header sets for one message. Reuse the same id on every retry so receivers can dedupe. */
export function signWebhook(options: {
  secret: WebhookSecret;
  id: string;
  body: string | Uint8Array;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
}): SignedWebhookHeaders {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'webhook-id': options.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardWebhookSignature(options.secret, options.id, timestamp, options.body),
    'x-hub-signature-256': githubSignature256(options.secret, options.body),
  };
}

/**
 * Checks Standard Webhooks headers the way a receiver does: any of the space-separated `v1,`
 * signatures may match, and the timestamp must be within the tolerance of `now`.
 */
export function verifyStandardWebhook(options: {
  secret: WebhookSecret;
  id: string;
  timestamp: string;
  signature: string;
  body: string | Uint8Array;
  toleranceSeconds?: number;
  /** Unix seconds; defaults to now. */
  now?: number;
}): boolean {
  if (!/^\d+$/.test(options.timestamp)) return false;
  const timestamp = Number(options.timestamp);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = standardWebhookSignature(options.secret, options.id, timestamp, options.body);
  return options.signature.split(' ').some((candidate) => safeEqual(candidate, expected));
}

export function verifyGithubSignature256(
  secret: WebhookSecret,
  body: string | Uint8Array,
  header: string | undefined,
): boolean {
  return header !== undefined && safeEqual(header, githubSignature256(secret, body));
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
