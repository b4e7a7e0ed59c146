import { acquireLease } from '../../shared/kube/release-state.js';
import type { StrategyContext } from './context.js';

/** Takes the workload's lease for this run (refusing a concurrent run) and notes it. */
export async function takeLease(ctx: StrategyContext, path: string): Promise<void> {
  const taken = await acquireLease(
    ctx.client,
    path,
    ctx.holder,
    ctx.target.leaseDurationMs,
    () => ctx.faults.conflicts++,
  );
  if (taken) {
    ctx.leases.push(path);
    ctx.note(`lease taken on ${path.split('/').slice(-2).join('/')}`);
  }
}
