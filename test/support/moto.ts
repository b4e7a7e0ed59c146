import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './free-port.js';

/**
 * A real moto_server (AWS service mock) on loopback, for Secrets Manager and S3 tests.
 * Point the SDK at it with `motoEnv(server)`; stop it in afterAll.
 */
export interface MotoServer {
  endpoint: string;
  port: number;
  /** Forgets every resource created so far. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Environment for the AWS SDK: the endpoint, a region and dummy credentials moto accepts. */
export function motoEnv(server: MotoServer): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  };
}

export async function startMoto(options: { command?: string; timeoutMs?: number } = {}): Promise<MotoServer> {
  const command = options.command ?? process.env.MOTO_SERVER ?? 'moto_server';
  // The port is chosen here and handed over; another process may take it in between, so retry.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(command, port, options.timeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function launch(command: string, port: number, timeoutMs: number): Promise<MotoServer> {
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group, so stopping it also stops the Python process behind a pyenv shim.
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start ${command}: ${error.message}`)));
    child.once('exit', (code) =>
      reject(new Error(`${command} exited with ${code} before answering:\n${stderr}`)),
    );
  });
  exited.catch(() => undefined);

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitUntilAnswering(endpoint, timeoutMs), exited]);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return {
    endpoint,
    port,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    stop: () => stopProcess(child),
  };
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`moto_server did not answer at ${endpoint} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}
