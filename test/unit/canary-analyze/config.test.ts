import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../../shared/config/index.js';

function load(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'canary-config-'));
  mkdirSync(join(dir, 'deploy/environments'), { recursive: true });
  writeFileSync(join(dir, 'deploy/environments/production.yml'), yaml);
  return loadEnvironmentConfig({ environment: 'production', workspace: dir, env: {} });
}

describe('canary analysis config', () => {
  it('reads provider, labels, confidence, custom metrics and Prometheus auth', async () => {
    const { config } = await load(`environment: {name: production}
monitoring:
  prometheus:
    url: http://prometheus:9090
    basicAuth: {username: reader, password: s3cret}
    timeout: 20s
canary:
  analysis:
    provider: istio
    labels: {workloadLabel: app}
    confidence: "99.5%"
    maxRatio: 2
    onNoData: fail
    minDuration: 15m
    metrics:
      - name: queue-depth
        query: max(queue_depth{app="{{target}}"})
        threshold: 100
`);
    expect(config.monitoring.prometheus).toMatchObject({
      basicAuth: { username: 'reader' },
      timeout: 20_000,
    });
    expect(config.canary.analysis).toMatchObject({
      provider: 'istio',
      labels: { workloadLabel: 'app' },
      confidence: 0.995,
      maxRatio: 2,
      onNoData: 'fail',
      minDuration: 900_000,
      metrics: [{ name: 'queue-depth', direction: 'lower-is-better', critical: false, threshold: 100 }],
    });
  });

  it('names the file, line and path of a bad value', async () => {
    await expect(
      load('environment: {name: production}\ncanary:\n  analysis:\n    provider: envoy\n'),
    ).rejects.toThrow(/production\.yml:4:15 canary\.analysis\.provider/);
  });
});
