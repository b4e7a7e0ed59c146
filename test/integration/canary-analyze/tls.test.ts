import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findLeaks } from '../../support/harness.js';
import { generateTlsMaterial, type TlsMaterial } from '../../support/kube-sim/tls.js';
import { PrometheusServer } from '../../support/prometheus.js';
import { analyseWith, BASELINE, metric, workspace } from './fixture.js';
import { openMetrics } from './openmetrics.js';
import { clientCertificate, TlsProxy } from './tls-proxy.js';

const SERIES_START = Math.floor(Date.now() / 60_000) * 60 - 3 * 3600;
const WINDOW = { 'start-time': String(SERIES_START + 300), 'end-time': String(SERIES_START + 2100) };
const TOKEN = 'prom-token-tls-8d2e41';

const prometheus = new PrometheusServer();
let server: TlsMaterial;
let client: { caCert: string; cert: string; key: string };
let https: TlsProxy;
let mutual: TlsProxy;

beforeAll(async () => {
  const traffic = { errorRate: 0.005, medianMs: 80 };
  await prometheus.start(
    openMetrics(
      [
        { app: BASELINE, rps: 400, ...traffic },
        { app: 'good-canary', rps: 20, ...traffic },
      ],
      SERIES_START,
      2400,
    ),
  );
  [server, client] = await Promise.all([generateTlsMaterial(), clientCertificate()]);
  https = new TlsProxy(() => prometheus.url, { cert: server.cert, key: server.key });
  // Mutual TLS: only clients with a certificate from the client CA get through the handshake.
  mutual = new TlsProxy(() => prometheus.url, {
    cert: server.cert,
    key: server.key,
    ca: client.caCert,
    requestCert: true,
    rejectUnauthorized: true,
  });
  await Promise.all([https.start(), mutual.start()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([https?.stop(), mutual?.stop()]);
  await prometheus.stop();
});
beforeEach(() => {
  https.reset();
  mutual.reset();
});

/** A workspace holding the PEM files under certs/. */
function workspaceWithCerts(): string {
  const dir = workspace();
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'certs/prometheus-ca.pem'), server.caCert);
  writeFileSync(join(dir, 'certs/other-ca.pem'), client.caCert);
  writeFileSync(join(dir, 'certs/client.pem'), client.cert);
  writeFileSync(join(dir, 'certs/client.key'), client.key);
  return dir;
}

async function analyse(url: string, inputs: Record<string, string>) {
  const dir = workspaceWithCerts();
  const { run, report } = await analyseWith({
    url,
    canary: 'good-canary',
    workspace: dir,
    inputs: { ...WINDOW, 'prometheus-token': TOKEN, ...inputs },
  });
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  expect(findLeaks(run, TOKEN)).toEqual([]);
  return { run, report: report!, dir };
}

describe('canary-analyze over TLS to Prometheus', () => {
  it.each([
    ['a path in the workspace', () => 'certs/prometheus-ca.pem'],
    ['the PEM text', () => server.caCert],
  ])('trusts a private CA given in prometheus-ca-file as %s', async (_, ca) => {
    const { run, report, dir } = await analyse(https.url, { 'prometheus-ca-file': ca() });
    expect(run.outputs.decision, report.reason).toBe('promote');
    expect(https.requests).toBeGreaterThan(0);
    expect(report.prometheus.tls).toMatchObject({ insecureSkipVerify: false, clientCertificate: null });
    expect(report.prometheus.tls!.extraCa).toBe(
      ca().startsWith('certs/') ? join(dir, ca()) : 'input "prometheus-ca-file" (inline PEM)',
    );
    expect(run.annotations.filter((a) => a.level === 'warning')).toEqual([]);
  });

  it.each([
    ['no CA is given', {}, 'give the CA that signed it in prometheus-ca-file'],
    [
      'the CA file holds another CA',
      { 'prometheus-ca-file': 'certs/other-ca.pem' },
      'neither the default CAs nor prometheus-ca-file',
    ],
  ])('names the certificate problem and the URL when %s, without retrying', async (_, inputs, hint) => {
    const { run, report } = await analyse(https.url, inputs);
    expect(run.outputs.decision).toBe('inconclusive');
    const reason = metric(report, 'error-rate').reason;
    expect(reason).toContain(`the TLS certificate of Prometheus at ${https.url} could not be verified`);
    expect(reason).toContain('unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(reason).toContain(hint);
    expect(report.reason).toContain('Prometheus could not answer');
    // One handshake, refused by the client: a certificate does not verify on a second try.
    expect(https.connections).toBe(1);
    expect(https.requests).toBe(0);
    expect(report.prometheus.retries).toBe(0);
  });

  it('skips verification with prometheus-insecure-skip-verify, and warns', async () => {
    const { run, report } = await analyse(https.url, { 'prometheus-insecure-skip-verify': 'true' });
    expect(run.outputs.decision, report.reason).toBe('promote');
    expect(report.prometheus.tls?.insecureSkipVerify).toBe(true);
    const warnings = run.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('prometheus-insecure-skip-verify');
    expect(warnings[0]).toContain(`the TLS certificate of ${https.url} is not verified`);
  });

  it('presents a client certificate to a Prometheus behind mutual TLS', async () => {
    const { run, report, dir } = await analyse(mutual.url, {
      'prometheus-ca-file': 'certs/prometheus-ca.pem',
      'prometheus-client-cert': 'certs/client.pem',
      'prometheus-client-key': 'certs/client.key',
    });
    expect(run.outputs.decision, report.reason).toBe('promote');
    expect(mutual.requests).toBeGreaterThan(0);
    expect(report.prometheus.tls?.clientCertificate).toBe(join(dir, 'certs/client.pem'));
    const keyLine = client.key.split('\n')[1]!;
    expect(findLeaks(run, keyLine)).toEqual([]);
  });

  it('says a client certificate is wanted when mutual TLS refuses the connection', async () => {
    const { run, report } = await analyse(mutual.url, { 'prometheus-ca-file': 'certs/prometheus-ca.pem' });
    expect(run.outputs.decision).toBe('inconclusive');
    const reason = metric(report, 'error-rate').reason;
    expect(reason).toContain(
      `Prometheus at ${mutual.url} wants a TLS client certificate: it answered with the TLS alert "certificate required" (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED); give prometheus-client-cert and prometheus-client-key`,
    );
    expect(mutual.requests).toBe(0);
    expect(mutual.connections).toBe(1);
  });

  it('refuses TLS inputs for a plain-HTTP Prometheus URL rather than send the token in clear', async () => {
    const { run } = await analyseWith({
      url: prometheus.url,
      canary: 'good-canary',
      workspace: workspaceWithCerts(),
      inputs: { ...WINDOW, 'prometheus-ca-file': 'certs/prometheus-ca.pem' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.map((a) => a.message).join('\n')).toContain(
      `need an https:// Prometheus URL, and it is ${prometheus.url}`,
    );
  });
});
