import { describe, expect, it } from 'vitest';
import { rolloutComplete, startKubeSim } from '../../support/kube-sim/index.js';
import { deploymentManifest } from './helpers.js';

describe('scale', () => {
  it('rolls out 1,000 Deployments of 3 replicas to completion with an accelerated clock', async () => {
    const sim = await startKubeSim({
      namespace: 'scale',
      // Controller Events are kept out: they add a write per scaling step and measure nothing here.
      events: false,
      clockSpeed: 100,
      podReadyDelayMs: 2000,
      podStartDelayMs: 500,
    });
    try {
      const started = Date.now();
      for (let i = 0; i < 1000; i++)
        sim.create('deployments', 'scale', deploymentManifest(`d${i}`, `img:${i % 7}`, 3));
      await sim.waitFor(
        () => {
          for (let i = 0; i < 1000; i++)
            if (!rolloutComplete(sim.get('deployments', 'scale', `d${i}`))) return false;
          return true;
        },
        20_000,
        '1,000 rollouts',
      );
      const elapsed = Date.now() - started;
      const rss = process.memoryUsage().rss / 1024 / 1024;
      // Reported, not asserted: timing belongs in benchmarks.
      console.log(`kube-sim scale: 1000 deployments in ${elapsed} ms, rss ${Math.round(rss)} MB`);
      expect(sim.list('pods', 'scale')).toHaveLength(3000);
      expect(sim.list('replicasets', 'scale')).toHaveLength(1000);
    } finally {
      await sim.stop();
    }
  }, 60_000);
});
