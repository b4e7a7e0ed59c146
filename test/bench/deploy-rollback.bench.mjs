// Blue-green rollback time against the Kubernetes API simulator, driving the committed dist
// bundles the way the runner does. Each round deploys a new release to the idle colour with
// deploy-strategy, then runs the rollback action and measures:
//   switch-back — from the rollback step's start until the live Service selects the previous
//                 colour again (what users feel: traffic is back on the old release);
//   in-cluster  — from the step's first API request until the switch (the step minus the Node
//                 process start and config load);
//   step        — the whole rollback step (process start, config, kube client, health check
//                 afterwards, audit), as the job log shows it.
// The guide promises a blue-green rollback well under a minute.
// Then, for rolling releases, how soon the watch in shared/kube (the code the actions run)
// notices that the simulator marked a rollout complete, against `kubectl rollout status` in the
// same round.
//
// Build the bundles first, then run with Node 24 from the repository root:
//   npm run build -- deploy-strategy rollback && npx node test/bench/deploy-rollback.bench.mjs [--rounds 5]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const rounds = Number(values.rounds);
const root = fileURLToPath(new URL('../../', import.meta.url));

// The simulator and the harness are TypeScript: compile them once into a scratch directory
// inside the repository, so their imports find its node_modules.
const out = join(root, 'node_modules/.cache', `deploy-bench-${process.pid}`);
const tsconfig = join(root, `tsconfig.bench-${process.pid}.json`);
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { noEmit: false, outDir: out, rootDir: '.', sourceMap: false },
    include: [],
    files: ['test/support/kube-sim/index.ts', 'test/support/harness.ts'],
  }),
);
const compiled = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', tsconfig], {
  cwd: root,
  stdio: 'inherit',
});
rmSync(tsconfig, { force: true });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
const { startKubeSim } = await import(join(out, 'test/support/kube-sim/index.js'));
const { runAction } = await import(join(out, 'test/support/harness.js'));

const sim = await startKubeSim({ podReadyDelayMs: 200, podStartDelayMs: 50 });
const namespace = 'bench';
sim.createNamespace(namespace);
const ws = mkdtempSync(join(tmpdir(), 'deploy-bench-ws-'));
mkdirSync(join(ws, 'deploy/environments'), { recursive: true });
writeFileSync(
  join(ws, 'deploy/environments/bench.yml'),
  `environment:
  name: bench
deployment:
  timeout: 30s
kubernetes:
  namespace: ${namespace}
  deployment: patient-api
  container: patient-api
  service: patient-api
health:
  baseUrl: ${sim.appUrl}/services/${namespace}/patient-api
  timeout: 2s
  retries: 3
  interval: 100ms
`,
);
const manifests = join(root, 'test/fixtures/k8s/patient-api.yml');
const image = (n) => `registry.example/caresync/patient-api@sha256:${String(n % 10).repeat(64)}`;
const run = (action, inputs) =>
  runAction({
    action: join(root, 'actions', action),
    workspace: ws,
    inputs: { environment: 'bench', ...inputs },
    env: { KUBECONFIG: sim.kubeconfigPath },
  });
const selector = () => sim.get('service', namespace, 'patient-api')?.spec?.selector?.version;

const switchBack = [];
const inCluster = [];
const steps = [];
const watchLag = [];
const kubectlLag = [];
try {
  const first = await run('deploy-strategy', { strategy: 'blue-green', manifests, image: image(1) });
  if (first.exitCode !== 0) throw new Error(`first deploy failed:\n${first.stdout}`);
  for (let round = 0; round < rounds; round++) {
    const release = await run('deploy-strategy', {
      strategy: 'blue-green',
      manifests,
      image: image(round + 2),
    });
    if (release.exitCode !== 0) throw new Error(`deploy failed:\n${release.stdout}`);
    const live = selector();
    const started = Date.now();
    const requestsBefore = sim.requests.length;
    let firstRequestAt;
    const watchRequests = setInterval(() => {
      if (firstRequestAt === undefined && sim.requests.length > requestsBefore) firstRequestAt = Date.now();
    }, 1);
    let switchedAt;
    const switched = sim
      .waitFor(() => selector() !== live, 60_000, 'the switch back')
      .then(() => {
        switchedAt = Date.now();
      });
    const back = await run('rollback', { when: 'always', reason: 'benchmark' });
    await switched;
    clearInterval(watchRequests);
    if (back.exitCode !== 0) throw new Error(`rollback failed:\n${back.stdout}`);
    switchBack.push(switchedAt - started);
    inCluster.push(switchedAt - firstRequestAt);
    steps.push(back.durationMs);
    console.log(
      `round ${round + 1}: ${live} → ${selector()} in ${switchedAt - started} ms, ${switchedAt - firstRequestAt} ms after the first API request (step ${back.durationMs} ms)`,
    );
  }

  // Watch versus kubectl: each round rolls a new image out with pods that take 1.5 s to be ready.
  const { KubeClient } = await import(join(root, 'build/shared/kube/client.js'));
  const { waitForRollout } = await import(join(root, 'build/shared/kube/deployments.js'));
  const client = await KubeClient.create({ source: { kind: 'file', path: sim.kubeconfigPath } });
  const path = `/apis/apps/v1/namespaces/${namespace}/deployments/rollout-bench`;
  const container = (n) => ({ name: 'app', image: `registry.example/rollout-bench:${n}` });
  await client.apply(path, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'rollout-bench', namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'rollout-bench' } },
      template: { metadata: { labels: { app: 'rollout-bench' } }, spec: { containers: [container(0)] } },
    },
  });
  await sim.waitForRollout(namespace, 'rollout-bench', 30_000);
  sim.setImageBehaviour('registry.example/rollout-bench:*', { readyDelayMs: 1500 });
  for (let round = 1; round <= rounds; round++) {
    await client.mergePatch(path, { spec: { template: { spec: { containers: [container(round)] } } } });
    const kubectlDone = kubectl
      ? new Promise((resolve) => {
          const child = spawn(
            'kubectl',
            [
              '--kubeconfig',
              sim.kubeconfigPath,
              '-n',
              namespace,
              'rollout',
              'status',
              'deployment/rollout-bench',
              '--timeout=60s',
            ],
            { stdio: 'ignore' },
          );
          // A kubectl that cannot talk to the simulator gives no figure rather than a wrong one.
          child.on('exit', (code) => resolve(code === 0 ? Date.now() : undefined));
        })
      : Promise.resolve(undefined);
    const ours = waitForRollout(client, namespace, 'rollout-bench', { timeoutMs: 60_000 });
    await sim.waitForRollout(namespace, 'rollout-bench', 60_000);
    const completeAt = Date.now();
    const result = await ours;
    const kubectlAt = await kubectlDone;
    if (result.outcome !== 'done') throw new Error(`watch ended ${result.outcome}: ${result.message}`);
    watchLag.push(result.noticedAt - completeAt);
    if (kubectlAt !== undefined) kubectlLag.push(kubectlAt - completeAt);
    console.log(
      `rollout ${round}: watch noticed ${result.noticedAt - completeAt} ms after completion${kubectlAt !== undefined ? `, kubectl rollout status exited after ${kubectlAt - completeAt} ms` : ''}`,
    );
  }
} finally {
  await sim.stop();
  rmSync(out, { recursive: true, force: true });
  rmSync(ws, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
console.log(
  `\nblue-green rollback over ${rounds} rounds: switch-back median ${median(switchBack)} ms (max ${Math.max(...switchBack)} ms), in-cluster median ${median(inCluster)} ms; whole step median ${median(steps)} ms (max ${Math.max(...steps)} ms)`,
);
if (watchLag.length) {
  const ratio = kubectlLag.length
    ? ` — kubectl rollout status median ${median(kubectlLag)} ms, ratio ${(median(kubectlLag) / Math.max(1, median(watchLag))).toFixed(1)}×`
    : ' (kubectl not installed, or it could not talk to the simulator)';
  console.log(
    `rollout completion noticed by the watch: median ${median(watchLag)} ms (max ${Math.max(...watchLag)} ms)${ratio}`,
  );
}
