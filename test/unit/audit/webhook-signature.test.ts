import { describe, expect, it } from 'vitest';
import {
  githubSignature256,
  signWebhook,
  standardWebhookKey,
  standardWebhookSignature,
  verifyGithubSignature256,
  verifyStandardWebhook,
} from '../../../shared/webhook-signature.js';

describe('Standard Webhooks signature', () => {
  // The reference example of the Standard Webhooks libraries.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';
  const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

  it('matches the reference signature, decoding a whsec_ secret from base64', () => {
    expect(standardWebhookSignature(secret, id, timestamp, body)).toBe(expected);
    expect(standardWebhookKey(secret)).toEqual(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'));
    expect(standardWebhookKey('plain')).toEqual(Buffer.from('plain'));
  });

  it('verifies like a receiver: any listed signature, within the timestamp tolerance', () => {
    const base = { secret, id, timestamp: String(timestamp), body, now: timestamp + 10 };
    expect(verifyStandardWebhook({ ...base, signature: expected })).toBe(true);
    expect(verifyStandardWebhook({ ...base, signature: `v1,bm90LWl0 ${expected}` })).toBe(true);
    expect(verifyStandardWebhook({ ...base, signature: expected, body: '{"test": 1}' })).toBe(false);
    expect(verifyStandardWebhook({ ...base, signature: expected, id: 'msg_other' })).toBe(false);
    expect(verifyStandardWebhook({ ...base, signature: expected, now: timestamp + 301 })).toBe(false);
    expect(verifyStandardWebhook({ ...base, signature: expected, timestamp: 'soon' })).toBe(false);
  });
});

describe('GitHub X-Hub-Signature-256', () => {
  it("matches GitHub's documented example", () => {
    expect(githubSignature256("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
    expect(
      verifyGithubSignature256(
        "It's a Secret to Everybody",
        'Hello, World!',
        'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      ),
    ).toBe(true);
    expect(verifyGithubSignature256('other', 'Hello, World!', undefined)).toBe(false);
    expect(verifyGithubSignature256('other', 'Hello, World!', 'sha256=00')).toBe(false);
  });
});

describe('signWebhook', () => {
  it('produces both header sets that verify', () => {
    const headers = signWebhook({
      secret: 'whsec_c2VjcmV0',
      id: 'evt-1',
      body: '{"a":1}',
      timestamp: 1700000000,
    });
    expect(headers['webhook-id']).toBe('evt-1');
    expect(headers['webhook-timestamp']).toBe('1700000000');
    expect(
      verifyStandardWebhook({
        secret: 'whsec_c2VjcmV0',
        id: 'evt-1',
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body: '{"a":1}',
        now: 1700000000,
      }),
    ).toBe(true);
    // GitHub uses the secret string as configured.
    expect(verifyGithubSignature256('whsec_c2VjcmV0', '{"a":1}', headers['x-hub-signature-256'])).toBe(true);
  });
});
