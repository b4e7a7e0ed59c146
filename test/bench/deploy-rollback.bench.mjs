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
// same rollout (median and p95 over --rollouts, 20 by default). The simulator serves TLS so
// kubectl can talk to it.
//
// Build the bundles first (the rollout part loads build/shared/kube), then run with Node 24
// from the repository root:
//   npm run build -- deploy-strategy rollback && npm run bench:deploy -- [--rounds 5] [--rollouts 20]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, rollouts: { type: 'string', default: '20' } },
});
const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const rounds = Number(values.rounds);
const rollouts = Number(values.rollouts);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Nearest-rank 95th percentile. */
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(0.95 * xs.length) - 1)];
const ms = (x) => `${x.toFixed(1)} ms`;
const ratio = (a, b) => `${(a / Math.max(b, 0.1)).toFixed(2)}×`;
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

// TLS, because kubectl sends its bearer token only over https.
const sim = await startKubeSim({ tls: true, podReadyDelayMs: 200, podStartDelayMs: 50 });
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
const lags = { inProcess: [], child: [], kubectl: [], kubectlExit: [] };
const complained = new Set();

/**
 * Runs a watcher as its own process and resolves with when its stdout said `success` and when
 * the process was gone, or undefined (after saying why once) when it failed: a watcher that
 * cannot talk to the simulator gives no figure rather than a wrong one.
 */
function watchInChild(label, command, args, success) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let printedAt;
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      if (printedAt === undefined && chunk.includes(success)) printedAt = performance.now();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      stderr += error.message;
    });
    child.on('close', (code) => {
      const exitedAt = performance.now();
      if (code === 0 && printedAt !== undefined) return resolve({ printedAt, exitedAt });
      if (!complained.has(label)) console.error(`${label} failed (exit ${code}): ${stderr.trim()}`);
      complained.add(label);
      resolve(undefined);
    });
  });
}

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

  // Watch versus kubectl: each rollout moves a Deployment to a new image whose pods take 1.5 s
  // to be ready. Three watchers start right after the change: shared/kube's waitForRollout (the
  // code the actions run) in this process, the same code in a child Node process (as the
  // action runs it, and on the same footing as kubectl), and `kubectl rollout status`.
  // "Complete" is the moment the simulator's own check (the rules `kubectl rollout status`
  // applies) first holds; a child has noticed when its success line reaches this process.
  const clientModule = join(root, 'build/shared/kube/client.js');
  const deploymentsModule = join(root, 'build/shared/kube/deployments.js');
  const { KubeClient } = await import(clientModule);
  const { waitForRollout } = await import(deploymentsModule);
  const childScript = join(out, 'watch-rollout.mjs');
  writeFileSync(
    childScript,
    `import { pathToFileURL } from 'node:url';
const [clientModule, deploymentsModule, kubeconfig, namespace, name] = process.argv.slice(2);
const { KubeClient } = await import(pathToFileURL(clientModule).href);
const { waitForRollout } = await import(pathToFileURL(deploymentsModule).href);
const client = await KubeClient.create({ source: { kind: 'file', path: kubeconfig } });
// As in the action, stdout is in use before the verdict (its first write sets the stream up).
process.stdout.write('watching\\n');
const result = await waitForRollout(client, namespace, name, { timeoutMs: 60_000 });
process.stdout.write(result.outcome + '\\n');
process.exitCode = result.outcome === 'done' ? 0 : 1;
`,
  );
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
  for (let round = 1; round <= rollouts; round++) {
    await client.mergePatch(path, { spec: { template: { spec: { containers: [container(round)] } } } });
    const kubectlDone = kubectl
      ? watchInChild(
          'kubectl rollout status',
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
          'successfully rolled out',
        )
      : Promise.resolve(undefined);
    const childDone = watchInChild(
      'the watch in a child process',
      process.execPath,
      [childScript, clientModule, deploymentsModule, sim.kubeconfigPath, namespace, 'rollout-bench'],
      'done',
    );
    let oursAt;
    const ours = waitForRollout(client, namespace, 'rollout-bench', { timeoutMs: 60_000 }).then((result) => {
      oursAt = performance.now();
      return result;
    });
    await sim.waitForRollout(namespace, 'rollout-bench', 60_000);
    const completeAt = performance.now();
    const result = await ours;
    const [viaKubectl, viaChild] = await Promise.all([kubectlDone, childDone]);
    if (result.outcome !== 'done') throw new Error(`watch ended ${result.outcome}: ${result.message}`);
    lags.inProcess.push(oursAt - completeAt);
    if (viaChild) lags.child.push(viaChild.printedAt - completeAt);
    if (viaKubectl) {
      lags.kubectl.push(viaKubectl.printedAt - completeAt);
      lags.kubectlExit.push(viaKubectl.exitedAt - completeAt);
    }
    console.log(
      `rollout ${round}: watch noticed ${ms(oursAt - completeAt)} after completion in process${viaChild ? `, ${ms(viaChild.printedAt - completeAt)} in a child process` : ''}${viaKubectl ? `; kubectl rollout status printed success after ${ms(viaKubectl.printedAt - completeAt)} and exited after ${ms(viaKubectl.exitedAt - completeAt)}` : ''}`,
    );
  }
} finally {
  await sim.stop();
  rmSync(out, { recursive: true, force: true });
  rmSync(ws, { recursive: true, force: true });
}

console.log(
  `\nblue-green rollback over ${rounds} rounds: switch-back median ${median(switchBack)} ms (max ${Math.max(...switchBack)} ms), in-cluster median ${median(inCluster)} ms; whole step median ${median(steps)} ms (max ${Math.max(...steps)} ms)`,
);
if (lags.inProcess.length) {
  const line = (label, xs) =>
    console.log(`  ${label.padEnd(48)}${xs.length ? `${ms(median(xs))} / ${ms(p95(xs))}` : 'no figure'}`);
  console.log(
    `rollout completion noticed, over ${lags.inProcess.length} rollouts (median / p95 after the simulator marked it complete):`,
  );
  line("action's watch, in this process", lags.inProcess);
  line("action's watch, child process (success line)", lags.child);
  line('kubectl rollout status (success line)', lags.kubectl);
  line('kubectl rollout status (process exited)', lags.kubectlExit);
  if (lags.kubectl.length && lags.child.length) {
    // Above 1 the action notices later than kubectl would; both run as their own process here.
    console.log(
      `  ratio action's watch (child) / kubectl: median ${ratio(median(lags.child), median(lags.kubectl))}, p95 ${ratio(p95(lags.child), p95(lags.kubectl))}`,
    );
  }
  if (!kubectl) console.log('  (kubectl is not installed: no kubectl figures)');
}
