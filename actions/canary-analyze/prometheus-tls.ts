import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createSecureContext, getCACertificates } from 'node:tls';
import { errorMessage, UserError } from '../../shared/errors.js';
import { registerSecret } from '../../shared/secrets.js';

/** The TLS inputs as given: each PEM value is a path (relative to the workspace) or the PEM itself. */
export interface TlsInputs {
  caFile?: string;
  clientCert?: string;
  clientKey?: string;
  insecureSkipVerify: boolean;
  /** How messages name each value, when it did not come from its input (e.g. a config key). */
  labels?: Partial<Record<'caFile' | 'clientCert' | 'clientKey', string>>;
}

/** TLS for an https Prometheus, read and checked once. */
export interface PrometheusTls {
  /** Every CA to trust: Node's default store followed by the extra bundle. */
  ca?: string[];
  /** Where the extra CAs came from, for messages and the report. */
  caSource?: string;
  cert?: string;
  key?: string;
  certSource?: string;
  insecureSkipVerify: boolean;
}

const PEM_TEXT = /^\s*-----BEGIN /;

/** Reads a PEM input: the text itself when it looks like PEM, else the file it names. */
function readPem(label: string, value: string, workspace: string): { pem: string; source: string } {
  if (PEM_TEXT.test(value)) return { pem: value, source: `${label} (inline PEM)` };
  const path = isAbsolute(value) ? value : resolve(workspace, value);
  try {
    return { pem: readFileSync(path, 'utf8'), source: path };
  } catch (error) {
    throw new UserError(`${label}: cannot read ${path}: ${errorMessage(error)}`);
  }
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Every certificate in a PEM bundle must parse: a secure context silently drops a CA it cannot
 * read, which would surface only later as an unverifiable Prometheus.
 */
function checkCertificates(label: string, pem: string, source: string): void {
  const blocks = pem.match(CERTIFICATE) ?? [];
  if (!blocks.length) throw new UserError(`${label}: ${source} holds no PEM certificate`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new UserError(
        `${label}: certificate ${i + 1} of ${blocks.length} in ${source} cannot be read: ${errorMessage(error)}`,
      );
    }
  });
}

/** OpenSSL's own words for a PEM it cannot use, so the user sees what is wrong with the file. */
function checkContext(what: string, options: Parameters<typeof createSecureContext>[0]): void {
  try {
    createSecureContext(options);
  } catch (error) {
    throw new UserError(`${what}: ${errorMessage(error)}`);
  }
}

/** Undefined when no TLS input was set: Node's defaults then apply unchanged. */
export function loadPrometheusTls(inputs: TlsInputs, workspace: string): PrometheusTls | undefined {
  if (!inputs.caFile && !inputs.clientCert && !inputs.clientKey && !inputs.insecureSkipVerify)
    return undefined;
  if (Boolean(inputs.clientCert) !== Boolean(inputs.clientKey)) {
    throw new UserError(
      'inputs "prometheus-client-cert" and "prometheus-client-key" go together: give both or neither',
    );
  }
  const label = {
    caFile: inputs.labels?.caFile ?? 'input "prometheus-ca-file"',
    clientCert: inputs.labels?.clientCert ?? 'input "prometheus-client-cert"',
    clientKey: inputs.labels?.clientKey ?? 'input "prometheus-client-key"',
  };
  const tls: PrometheusTls = { insecureSkipVerify: inputs.insecureSkipVerify };
  if (inputs.caFile) {
    const { pem, source } = readPem(label.caFile, inputs.caFile, workspace);
    checkCertificates(label.caFile, pem, source);
    // A `ca` option replaces Node's trust store; keep the default CAs and add the bundle.
    tls.ca = [...getCACertificates('default'), pem];
    tls.caSource = source;
  }
  if (inputs.clientCert && inputs.clientKey) {
    const cert = readPem(label.clientCert, inputs.clientCert, workspace);
    const key = readPem(label.clientKey, inputs.clientKey, workspace);
    registerSecret(key.pem.trim());
    checkCertificates(label.clientCert, cert.pem, cert.source);
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.pem)) {
      throw new UserError(`${label.clientKey}: ${key.source} holds no PEM private key`);
    }
    checkContext(
      `${label.clientCert} and ${label.clientKey} are not a usable pair (${cert.source}; ${key.source})`,
      { cert: cert.pem, key: key.pem },
    );
    tls.cert = cert.pem;
    tls.key = key.pem;
    tls.certSource = cert.source;
  }
  return tls;
}

/** OpenSSL's verification results, as Node reports them in `error.code`. */
const VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** TLS alerts a server sends when it does not accept the client's certificate (or its absence). */
const CLIENT_ALERT_PREFIX = /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/;
const CLIENT_REFUSED =
  /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|ACCESS_DENIED)$/;

export interface CertificateProblem {
  /** `server`: Prometheus' certificate failed verification; `client`: Prometheus refused ours. */
  side: 'server' | 'client';
  code: string;
  message: string;
}

/**
 * The certificate failure behind a fetch error, if it is one. Node's fetch wraps it as the
 * `cause` of "fetch failed"; node:https reports it directly.
 */
export function certificateProblem(error: unknown): CertificateProblem | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!code) continue;
    if (VERIFY_CODES.has(code)) return { side: 'server', code, message: e.message };
    if (CLIENT_REFUSED.test(code)) return { side: 'client', code, message: e.message };
  }
  return undefined;
}

/** One sentence naming the URL, what failed and what to do about it. */
export function describeCertificateProblem(
  problem: CertificateProblem,
  url: string,
  tls: PrometheusTls | undefined,
): string {
  // Node suggests --use-system-ca, a flag an action's user cannot pass; the hint below fits.
  const message = problem.message.replace(/; if the root CA is installed locally.*$/, '');
  const what = `${message} (${problem.code})`;
  if (problem.side === 'client') {
    // OpenSSL's text for an alert is a dump of its error queue; the alert's name says it all.
    const alert = `the TLS alert "${problem.code.replace(CLIENT_ALERT_PREFIX, '').toLowerCase().replace(/_/g, ' ')}" (${problem.code})`;
    return tls?.cert
      ? `Prometheus at ${url} refused the TLS client certificate ${tls.certSource} with ${alert}`
      : `Prometheus at ${url} wants a TLS client certificate: it answered with ${alert}; give prometheus-client-cert and prometheus-client-key`;
  }
  let hint: string;
  if (problem.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || problem.code === 'HOSTNAME_MISMATCH') {
    hint = 'the certificate was issued for other host names; use a URL with one of them';
  } else if (/VALID|EXPIRED|NOT_BEFORE|NOT_AFTER/.test(problem.code)) {
    hint = 'the certificate is outside its validity period';
  } else if (tls?.caSource) {
    hint = `neither the default CAs nor prometheus-ca-file (${tls.caSource}) vouch for it`;
  } else {
    hint = 'give the CA that signed it in prometheus-ca-file';
  }
  return `the TLS certificate of Prometheus at ${url} could not be verified: ${what}; ${hint}`;
}

/** The config's `monitoring.prometheus.tls`, each value overridden by its input when given. */
export function mergeTlsConfig(
  inputs: TlsInputs,
  config:
    | { caFile?: string; clientCert?: string; clientKey?: string; insecureSkipVerify?: boolean }
    | undefined,
  where: string,
): TlsInputs {
  if (!config) return inputs;
  const merged: TlsInputs = {
    insecureSkipVerify: inputs.insecureSkipVerify || config.insecureSkipVerify === true,
    labels: { ...inputs.labels },
  };
  for (const key of ['caFile', 'clientCert', 'clientKey'] as const) {
    const value = inputs[key] ?? config[key];
    if (value === undefined) continue;
    merged[key] = value;
    if (inputs[key] === undefined) merged.labels![key] = `monitoring.prometheus.tls.${key} in ${where}`;
  }
  return merged;
}
