import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getCACertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsFetch } from '../../../actions/canary-analyze/https-fetch.js';
import { generateTlsMaterial, type TlsMaterial } from '../../support/kube-sim/tls.js';

let material: TlsMaterial;
let server: Server;
let url: string;
const seen: { method?: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  material = await generateTlsMaterial();
  server = createServer({ cert: material.cert, key: material.key }, (req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      if (req.url === '/silent') return; // never answers
      res.writeHead(503, { 'retry-after': '7', 'set-cookie': ['a=1', 'b=2'] });
      res.end('{"status":"error"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 30_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const trusting = () =>
  httpsFetch({ ca: [...getCACertificates('default'), material.caCert], insecureSkipVerify: false });

describe('fetch over node:https', () => {
  it('sends method, headers and body, and returns status, headers and body as fetch would', async () => {
    const response = await trusting()(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer t' },
      body: 'query=up',
    });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=up',
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ status: 'error' });
  });

  it('rejects with the abort reason, so a timeout stays a TimeoutError', async () => {
    const error = await trusting()(`${url}/silent`, { signal: AbortSignal.timeout(200) }).catch((e) => e);
    expect((error as Error).name).toBe('TimeoutError');
  });

  it('verifies the certificate unless told not to', async () => {
    const strict = httpsFetch({ insecureSkipVerify: false });
    const error = (await strict(`${url}/x`).catch((e) => e)) as NodeJS.ErrnoException;
    expect(error.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const lax = httpsFetch({ insecureSkipVerify: true });
    expect((await lax(`${url}/x`)).status).toBe(503);
  });
});
