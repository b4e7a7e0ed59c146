import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a local receiver saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json?: unknown;
  receivedAt: number;
}

export interface CannedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Hold the response this long (a slow server), or forever with 'hang'. */
  delayMs?: number | 'hang';
  /** Destroy the socket without answering (a dropped connection). */
  drop?: boolean;
}

type Handler = (request: RecordedRequest) => CannedResponse | Promise<CannedResponse>;

interface Fault {
  method?: string;
  path: RegExp;
  response: CannedResponse;
  remaining: number;
}

/**
 * A loopback HTTP server that records every request and answers through a handler, with
 * one-shot or repeated faults queued ahead of it (429 with Retry-After, 500, hangs, drops).
 * The base for every local receiver the tests use (webhooks, chat tools, the GitHub API).
 */
export class HttpRecorder {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: Fault[] = [];
  private server?: Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  private handler: Handler;

  // A plain field rather than a parameter property: Node runs these sources by stripping types.
  constructor(handler: Handler = () => ({ status: 200, body: { ok: true } })) {
    this.handler = handler;
  }

  setHandler(handler: Handler): void {
    this.handler = handler;
  }

  /** Answers the next `times` matching requests with `response` instead of the handler. */
  fault(path: RegExp, response: CannedResponse, options: { method?: string; times?: number } = {}): void {
    this.faults.push({ path, response, method: options.method, remaining: options.times ?? 1 });
  }

  /** Forgets recorded requests and queued faults, between tests. */
  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('server not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      receivedAt: Date.now(),
    };
    if (body && /json/.test(req.headers['content-type'] ?? '')) {
      try {
        recorded.json = JSON.parse(body);
      } catch {
        // Keep the raw body; a test can assert on it.
      }
    }
    this.requests.push(recorded);

    const faultIndex = this.faults.findIndex(
      (f) => f.path.test(recorded.path) && (!f.method || f.method === recorded.method),
    );
    let response: CannedResponse;
    if (faultIndex >= 0) {
      const fault = this.faults[faultIndex]!;
      response = fault.response;
      if (--fault.remaining <= 0) this.faults.splice(faultIndex, 1);
    } else {
      try {
        response = await this.handler(recorded);
      } catch (error) {
        response = { status: 500, body: { message: String(error) } };
      }
    }
    if (response.drop) {
      req.socket.destroy();
      return;
    }
    if (response.delayMs === 'hang') return;
    if (response.delayMs) await new Promise((resolve) => setTimeout(resolve, response.delayMs as number));
    const payload =
      response.body === undefined
        ? ''
        : typeof response.body === 'string'
          ? response.body
          : JSON.stringify(response.body);
    res.writeHead(response.status, {
      'content-type': typeof response.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8',
      ...response.headers,
    });
    res.end(payload);
  }
}
