import {
  imageFor,
  type PipelineOptions,
  type PipelineResult,
  type Release,
  runPipeline,
} from './pipeline.js';
import type { Stack } from './stack.js';

/** Requests per second the service's users send through the ingress during a scenario. */
export const USER_RPS = 1500;

/**
 * One service in its own namespace and database, with users sending traffic through its
 * ingress, already running release 1.0.0 (its first deployment, which has nothing to canary
 * against). Scenarios share a stack but never a namespace or a database.
 */
export interface Service {
  namespace: string;
  database: string;
  baseline: PipelineResult;
  release(release: Release, options?: Partial<PipelineOptions>): Promise<PipelineResult>;
  /** Share of a sample of user requests served by each track right now. */
  trafficShare(): { stable: number; canary: number; errors: number };
  stop(): void;
}

let counter = 0;

export function release(version: string, extra: Partial<Release> = {}): Release {
  return { version, image: imageFor(version, 'patient-api'), ...extra };
}

export async function startService(
  stack: Stack,
  name: string,
  onJob?: PipelineOptions['onJob'],
): Promise<Service> {
  counter += 1;
  const namespace = `${name}-${counter}`;
  stack.sim.createNamespace(namespace);
  const database = await stack.postgres.createDatabase(name.replace(/\W/g, '_'));
  const target = { namespace, ingress: 'patient-api' };
  const run = (r: Release, options: Partial<PipelineOptions> = {}) =>
    runPipeline({ stack, namespace, database, release: r, ...(onJob ? { onJob } : {}), ...options });
  const baseline = await run(release('1.0.0'));
  if (baseline.outcome !== 'deployed') throw new Error(`release 1.0.0 was not deployed: ${baseline.outcome}`);
  const traffic = stack.sim.traffic.start(target, USER_RPS);
  return {
    namespace,
    database,
    baseline,
    release: run,
    trafficShare: () => {
      const sample = stack.sim.traffic.generate(target, 2000);
      const errors = Object.entries(sample.byCode)
        .filter(([code]) => code.startsWith('5'))
        .reduce((sum, [, n]) => sum + n, 0);
      return {
        stable: (sample.byTrack.stable ?? 0) / sample.total,
        canary: (sample.byTrack.canary ?? 0) / sample.total,
        errors: errors / sample.total,
      };
    },
    stop: () => traffic.stop(),
  };
}
