import { Agent, request } from 'node:https';
import type { PrometheusTls } from './prometheus-tls.js';

/**
 * A `fetch` for https URLs over node:https with its own TLS settings. Node's global fetch takes
 * TLS options only through an undici dispatcher, and undici is not a dependency of this suite;
 * node:https takes them on an Agent. Covers what the Prometheus client sends (a method, string
 * headers, a string body, an abort signal) and buffers the answer, so an abort also ends a
 * response that trickles in.
 */
export function httpsFetch(tls: PrometheusTls): typeof fetch {
  const agent = new Agent({
    keepAlive: true,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
    rejectUnauthorized: !tls.insecureSkipVerify,
  });
  return (input, init = {}) =>
    new Promise<Response>((resolvePromise, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.protocol !== 'https:')
        return reject(new TypeError(`httpsFetch cannot fetch ${url.protocol} URLs`));
      const { signal, body } = init;
      if (signal?.aborted) return reject(signal.reason);
      if (body !== undefined && body !== null && typeof body !== 'string') {
        return reject(new TypeError('httpsFetch sends string bodies only'));
      }
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const req = request(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => finish(() => reject(error)));
        res.on('end', () => {
          const status = res.statusCode ?? 502;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
              responseHeaders.append(name, v);
          }
          const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          finish(() =>
            resolvePromise(
              new Response(payload, {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders,
              }),
            ),
          );
        });
      });
      // Reject with the signal's reason, as fetch does, so a timeout stays a TimeoutError.
      const onAbort = () => {
        finish(() => reject(signal?.reason));
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => finish(() => reject(error)));
      req.end(body ?? undefined);
    });
}
