import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startKubeSim } from '../../support/kube-sim/index.js';
import { generateTlsMaterial } from '../../support/kube-sim/tls.js';
import { fetchJson } from './helpers.js';

describe('TLS and OpenAPI', () => {
  it('issues a CA and a server certificate for 127.0.0.1 and localhost that chain to it', async () => {
    const tls = await generateTlsMaterial();
    const ca = new X509Certificate(tls.caCert);
    const server = new X509Certificate(tls.cert);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkPrivateKey(createPrivateKey(tls.key))).toBe(true);
  });

  it('says clearly when openssl is missing', async () => {
    await expect(generateTlsMaterial({ openssl: '/nonexistent/openssl' })).rejects.toThrow(
      'TLS needs the openssl command line, and "/nonexistent/openssl" was not found',
    );
  });

  it('publishes OpenAPI v3 documents whose PATCH operations take fieldValidation', async () => {
    const sim = await startKubeSim();
    try {
      const auth = { headers: { authorization: `Bearer ${sim.token}` } };
      const index = await fetchJson(`${sim.url}/openapi/v3`, auth);
      expect(index.status).toBe(200);
      expect(Object.keys(index.body.paths)).toEqual(
        expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/networking.k8s.io/v1']),
      );
      const apps = await fetchJson(`${sim.url}${index.body.paths['apis/apps/v1'].serverRelativeURL}`, auth);
      expect(apps.status).toBe(200);
      const patch = apps.body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
      expect(patch['x-kubernetes-group-version-kind']).toEqual({
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
      });
      expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
      const missing = await fetchJson(`${sim.url}/openapi/v3/apis/nope/v1`, auth);
      expect(missing.status).toBe(404);
      const unauthenticated = await fetchJson(`${sim.url}/openapi/v3`);
      expect(unauthenticated.status).toBe(401);
    } finally {
      await sim.stop();
    }
  });
});
