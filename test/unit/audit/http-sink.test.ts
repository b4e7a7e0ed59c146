import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../shared/audit/audit-log.js';
import { AuditDeliveryError, HttpSink, type HttpSinkOptions } from '../../../shared/audit/http-sink.js';
import { resetSecretsForTest } from '../../../shared/secrets.js';
import { verifyGithubSignature256, verifyStandardWebhook } from '../../../shared/webhook-signature.js';
import { sampleEvent, tempDir } from './helpers.js';
import { deadUrl, Receiver } from './receiver.js';

const SECRET = 'whsec_dGVzdC13ZWJob29rLXNlY3JldA==';
const fast = { baseDelayMs: 5, maxDelayMs: 50 };

let dir: string;
let cleanup: () => void;
let receiver: Receiver;
let log: AuditLog;
beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  receiver = new Receiver();
  await receiver.start();
  log = AuditLog.open(join(dir, 'audit.jsonl'), { durability: 'write' });
  resetSecretsForTest();
});
afterEach(async () => {
  log.close();
  await receiver.stop();
  cleanup();
  resetSecretsForTest();
});

function sink(options: Partial<HttpSinkOptions> = {}) {
  const warnings: string[] = [];
  const http = new HttpSink({
    url: receiver.url,
    secret: SECRET,
    retry: fast,
    warn: (message) => warnings.push(message),
    ...options,
  });
  return { http, warnings };
}

describe('HttpSink', () => {
  it('POSTs the record as a signed CloudEvents JSON body', async () => {
    const { http } = sink();
    const record = log.append(sampleEvent(0));
    expect(await http.send(record)).toEqual({ ok: true, status: 200, attempts: 1 });
    const [request] = receiver.requests;
    expect(request!.body).toBe(record.line);
    expect(JSON.parse(request!.body)).toMatchObject({
      specversion: '1.0',
      auditseq: 0,
      audithash: record.hash,
    });
    expect(request!.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(request!.headers['webhook-id']).toBe(record.event.id);
    expect(
      verifyStandardWebhook({
        secret: SECRET,
        id: String(request!.headers['webhook-id']),
        timestamp: String(request!.headers['webhook-timestamp']),
        signature: String(request!.headers['webhook-signature']),
        body: request!.body,
      }),
    ).toBe(true);
    expect(
      verifyGithubSignature256(SECRET, request!.body, String(request!.headers['x-hub-signature-256'])),
    ).toBe(true);
  });

  it('retries 500 and 429 (honouring Retry-After) with the same webhook-id and signature', async () => {
    receiver.script({ status: 500 }, { status: 429, headers: { 'retry-after': '0' } });
    const { http, warnings } = sink();
    const record = log.append(sampleEvent(0));
    expect(await http.send(record)).toEqual({ ok: true, status: 200, attempts: 3 });
    expect(receiver.requests).toHaveLength(3);
    const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
    const signatures = new Set(receiver.requests.map((r) => r.headers['webhook-signature']));
    expect([...ids]).toEqual([record.event.id]);
    expect(signatures.size).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('only warns when delivery fails, naming the origin but not the path or query', async () => {
    receiver.script({ status: 400 });
    const { http, warnings } = sink({ url: `${receiver.url}?token=abc` });
    const result = await http.send(log.append(sampleEvent(0)));
    expect(result).toMatchObject({ ok: false, status: 400, attempts: 1 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /Audit event seq 0 was not delivered to http:\/\/127\.0\.0\.1:\d+: HTTP 400 after 1 attempt$/,
    );
    expect(warnings[0]).not.toMatch(/token|\/audit/);
  });

  it('does not block on a dead endpoint, and tries once per event after a failure', async () => {
    const { http, warnings } = sink({ url: await deadUrl(), attempts: 3, deadlineMs: 2000 });
    const started = Date.now();
    const first = await http.send(log.append(sampleEvent(0)));
    const second = await http.send(log.append(sampleEvent(1)));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(first).toMatchObject({ ok: false, attempts: 3 });
    expect(second).toMatchObject({ ok: false, attempts: 1 });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/ECONNREFUSED/);
  });

  it('gives up within the deadline on an endpoint that keeps failing', async () => {
    receiver.script(...Array.from({ length: 10 }, () => ({ status: 503, headers: { 'retry-after': '1' } })));
    const { http, warnings } = sink({ attempts: 10, deadlineMs: 1500, retry: { baseDelayMs: 5 } });
    const started = Date.now();
    const result = await http.send(log.append(sampleEvent(0)));
    expect(Date.now() - started).toBeLessThan(1600);
    expect(result.ok).toBe(false);
    expect(receiver.requests).toHaveLength(2);
    expect(warnings[0]).toMatch(/HTTP 503 \(gave up: the 1500 ms deadline would pass\) after 2 attempts$/);
  });

  it('throws when the sink is required', async () => {
    const { http, warnings } = sink({ url: await deadUrl(), attempts: 2, required: true });
    await expect(http.send(log.append(sampleEvent(0)))).rejects.toThrow(AuditDeliveryError);
    expect(warnings).toEqual([]);
  });
});
