import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  certificateProblem,
  describeCertificateProblem,
  loadPrometheusTls,
  mergeTlsConfig,
} from '../../../actions/canary-analyze/prometheus-tls.js';
import { UserError } from '../../../shared/errors.js';
import { generateTlsMaterial, type TlsMaterial } from '../../support/kube-sim/tls.js';

const NONE = { insecureSkipVerify: false };
let one: TlsMaterial;
let other: TlsMaterial;
let dir: string;

beforeAll(async () => {
  [one, other] = await Promise.all([generateTlsMaterial(), generateTlsMaterial()]);
  dir = mkdtempSync(join(tmpdir(), 'prometheus-tls-'));
  writeFileSync(join(dir, 'ca.pem'), one.caCert);
  writeFileSync(join(dir, 'notes.txt'), 'not a certificate\n');
  writeFileSync(
    join(dir, 'broken.pem'),
    '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
  );
}, 30_000);

function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('loading the Prometheus TLS inputs', () => {
  it('changes nothing when no TLS input is set', () => {
    expect(loadPrometheusTls(NONE, dir)).toBeUndefined();
  });

  it('adds the CA bundle to the default CAs instead of replacing them', () => {
    const tls = loadPrometheusTls({ ...NONE, caFile: 'ca.pem' }, dir)!;
    const defaults = getCACertificates('default');
    expect(tls.ca).toHaveLength(defaults.length + 1);
    expect(tls.ca!.slice(0, -1)).toEqual(defaults);
    expect(tls.ca!.at(-1)).toBe(one.caCert);
    expect(tls.caSource).toBe(join(dir, 'ca.pem'));
  });

  it('takes PEM text as well as a path', () => {
    const tls = loadPrometheusTls({ ...NONE, clientCert: one.cert, clientKey: one.key }, dir)!;
    expect(tls.cert).toBe(one.cert);
    expect(tls.certSource).toBe('input "prometheus-client-cert" (inline PEM)');
  });

  it.each([
    [{ caFile: 'missing.pem' }, 'input "prometheus-ca-file": cannot read DIR/missing.pem'],
    [{ caFile: 'notes.txt' }, 'input "prometheus-ca-file": DIR/notes.txt holds no PEM certificate'],
    [
      { caFile: 'broken.pem' },
      'input "prometheus-ca-file": certificate 1 of 1 in DIR/broken.pem cannot be read',
    ],
    [{ clientCert: 'ca.pem' }, 'inputs "prometheus-client-cert" and "prometheus-client-key" go together'],
  ])('names the input and the file for a mistake: %o', (inputs, message) => {
    const load = () => loadPrometheusTls({ ...NONE, ...inputs }, dir);
    expect(load).toThrow(UserError);
    expect(load).toThrow(message.replace('DIR', dir));
  });

  it('refuses a client key that does not belong to the certificate', () => {
    expect(() => loadPrometheusTls({ ...NONE, clientCert: one.cert, clientKey: other.key }, dir)).toThrow(
      /input "prometheus-client-cert" and input "prometheus-client-key" are not a usable pair \(input "prometheus-client-cert" \(inline PEM\); .*\): .*key values mismatch/,
    );
  });
});

describe('certificate problems', () => {
  it('finds the verification failure inside fetch’s "fetch failed"', () => {
    const error = new TypeError('fetch failed', {
      cause: coded('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
    });
    expect(certificateProblem(error)).toEqual({
      side: 'server',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      message: 'unable to verify the first certificate',
    });
  });

  it('leaves network and timeout errors alone: those are retried', () => {
    expect(
      certificateProblem(new TypeError('fetch failed', { cause: coded('refused', 'ECONNREFUSED') })),
    ).toBe(undefined);
    expect(certificateProblem(new DOMException('timed out', 'TimeoutError'))).toBeUndefined();
  });

  it('tells what to do for each kind of failure', () => {
    const url = 'https://prometheus.example:9090';
    const describe = (
      code: string,
      message: string,
      tls?: Parameters<typeof describeCertificateProblem>[2],
    ) => describeCertificateProblem(certificateProblem(coded(message, code))!, url, tls);
    expect(describe('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain')).toBe(
      `the TLS certificate of Prometheus at ${url} could not be verified: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN); give the CA that signed it in prometheus-ca-file`,
    );
    expect(
      describe('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
    ).toContain('issued for other host names');
    expect(describe('CERT_HAS_EXPIRED', 'certificate has expired')).toContain('outside its validity period');
    expect(
      describe('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'alert bad certificate', {
        insecureSkipVerify: false,
        cert: 'x',
        certSource: '/certs/client.pem',
      }),
    ).toBe(
      `Prometheus at ${url} refused the TLS client certificate /certs/client.pem with the TLS alert "bad certificate" (ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE)`,
    );
  });
});

describe('TLS settings from the environment config', () => {
  it('uses monitoring.prometheus.tls where no input is given, and names the key in errors', () => {
    const merged = mergeTlsConfig({ ...NONE }, { caFile: 'ca.pem', insecureSkipVerify: true }, 'prod.yml');
    expect(merged).toMatchObject({ caFile: 'ca.pem', insecureSkipVerify: true });
    expect(loadPrometheusTls(merged, dir)!.caSource).toBe(join(dir, 'ca.pem'));
    const missing = mergeTlsConfig({ ...NONE }, { caFile: 'missing.pem' }, 'prod.yml');
    expect(() => loadPrometheusTls(missing, dir)).toThrow(
      /^monitoring\.prometheus\.tls\.caFile in prod\.yml: cannot read .*missing\.pem/,
    );
  });

  it('lets an input win over its config key', () => {
    const merged = mergeTlsConfig({ ...NONE, caFile: 'mine.pem' }, { caFile: 'ca.pem' }, 'prod.yml');
    expect(merged.caFile).toBe('mine.pem');
    expect(() => loadPrometheusTls(merged, dir)).toThrow(/^input "prometheus-ca-file": cannot read/);
  });
});
