// Cold start of every action as the runner starts it: `node dist/<action>/index.js` in a fresh
// process on the pinned Node 24, with the runner's environment and the inputs a real step gives,
// against a config whose Kubernetes/Prometheus/database/registry addresses answer nothing
// (port 9), so each action goes as far as its first network call and stops there.
//
// Figures per action, median and worst of N runs:
// - first output: spawn → the first byte on stdout (the step's first log line);
// - entry bundle: the size of dist/<action>/index.js;
// - loaded before first output: the bytes of every dist/ file Node loaded until then, and
//   for comparison what the step has loaded 0.5 s later, when lazily loaded chunks (the
//   Kubernetes client, the AWS SDK) have come in for its first network call.
// Targets: first output ≤ 250 ms, loaded at start ≤ 3 MB.
//
//   npm run bench:cold-start [-- --runs 15]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);

const work = mkdtempSync(join(tmpdir(), 'cold-start-'));
const loadLog = join(work, 'loaded.txt');
// Records each module Node loads (URL and time) without changing how it loads.
const hook = join(work, 'record-loads.mjs');
writeFileSync(
  hook,
  `import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
// The child's own clock for its first output, so loads are compared on one clock.
const write = process.stdout.write.bind(process.stdout);
let first = true;
process.stdout.write = (...args) => {
  if (first) {
    first = false;
    appendFileSync(${JSON.stringify(loadLog)}, 'first-output\\t' + performance.now() + '\\n');
  }
  return write(...args);
};
registerHooks({
  load(url, context, next) {
    if (url.startsWith('file:')) appendFileSync(${JSON.stringify(loadLog)}, url + '\\t' + performance.now() + '\\n');
    return next(url, context);
  },
});
`,
);
const workspace = join(work, 'workspace');
mkdirSync(join(workspace, 'deploy/environments'), { recursive: true });
mkdirSync(join(workspace, 'migrations'), { recursive: true });
writeFileSync(join(workspace, 'migrations/V1__t.sql'), 'CREATE TABLE t (id int);\n');
writeFileSync(
  join(workspace, 'package-lock.json'),
  JSON.stringify({
    name: 'x',
    version: '1.0.0',
    lockfileVersion: 3,
    packages: { '': { name: 'x', version: '1.0.0' } },
  }),
);
writeFileSync(
  join(workspace, 'deploy/environments/staging.yml'),
  `environment:
  name: staging
database:
  ssl: false
  url: postgres://deploy:x@127.0.0.1:9/app
monitoring:
  prometheus:
    url: http://127.0.0.1:9
kubernetes:
  namespace: shop
  deployment: web
  container: web
notifications:
  webhooks:
    - url: http://127.0.0.1:9/hook
`,
);
const kubeconfig = join(work, 'kubeconfig');
writeFileSync(
  kubeconfig,
  `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:9" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: c, context: { cluster: c, user: u, namespace: shop } }]
current-context: c
`,
);

/** The inputs a typical step gives each action. */
const ACTIONS = {
  'quality-gate': { environment: 'staging' },
  'build-and-sbom': {
    environment: 'staging',
    image: 'registry.example/shop/web',
    push: 'false',
    builder: 'buildah',
  },
  'migrate-db': { environment: 'staging', 'migrations-dir': 'migrations', backup: 'false' },
  'deploy-strategy': { environment: 'staging', image: 'registry.example/shop/web:1.0.0', manifests: 'k8s' },
  'canary-analyze': { environment: 'staging' },
  rollback: { environment: 'staging' },
  notify: { environment: 'staging', status: 'success' },
};

function once(action, inputs) {
  rmSync(loadLog, { force: true });
  const env = {
    PATH: process.env.PATH,
    HOME: work,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: work,
    GITHUB_REPOSITORY: 'caresync/shop',
    GITHUB_RUN_ID: '1',
    GITHUB_SHA: '0'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_OUTPUT: join(work, 'output'),
    GITHUB_STATE: join(work, 'state'),
    GITHUB_ENV: join(work, 'env'),
    GITHUB_STEP_SUMMARY: join(work, 'summary'),
    KUBECONFIG: kubeconfig,
  };
  for (const file of ['output', 'state', 'env', 'summary']) writeFileSync(join(work, file), '');
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise((resolve) => {
    const started = performance.now();
    let firstOutput;
    let stop = setTimeout(() => child.kill('SIGKILL'), 5000);
    const child = spawn(
      process.execPath,
      ['--import', pathToFileURL(hook).href, join(root, 'dist', action, 'index.js')],
      {
        env,
        cwd: workspace,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.once('data', () => {
      firstOutput ??= performance.now() - started;
      // Only the start is measured: let the step go on briefly (lazy loads), then stop it.
      clearTimeout(stop);
      stop = setTimeout(() => child.kill('SIGKILL'), 500);
    });
    child.stdout.resume();
    child.stderr.resume();
    child.on('close', () => {
      clearTimeout(stop);
      const loads = existsSync(loadLog)
        ? readFileSync(loadLog, 'utf8')
            .split('\n')
            .filter(Boolean)
            .filter((line) => line.startsWith('file:'))
            .map((line) => {
              const [url, at] = line.split('\t');
              return { path: fileURLToPath(url), at: Number(at) };
            })
            .filter((l) => l.path.startsWith(join(root, 'dist')))
        : [];
      const mark = existsSync(loadLog)
        ? /^first-output\t([\d.]+)$/m.exec(readFileSync(loadLog, 'utf8'))
        : null;
      resolve({
        firstOutput: firstOutput ?? Number.NaN,
        childFirstOutput: mark ? Number(mark[1]) : Number.POSITIVE_INFINITY,
        loads,
      });
    });
  });
}

/** Bytes of the dist/ files the child loaded before `ms` on its own clock. */
function bytesLoaded(loads, ms = Number.POSITIVE_INFINITY) {
  return loads.filter((l) => l.at <= ms).reduce((sum, l) => sum + statSync(l.path).size, 0);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
const rows = [];
for (const [action, inputs] of Object.entries(ACTIONS)) {
  await once(action, inputs); // warm the file cache, as a runner that just checked out has
  const times = [];
  let atStart = 0;
  let within = 0;
  for (let i = 0; i < runs; i++) {
    const run = await once(action, inputs);
    times.push(run.firstOutput);
    atStart = Math.max(atStart, bytesLoaded(run.loads, run.childFirstOutput));
    within = Math.max(within, bytesLoaded(run.loads));
  }
  const entry = statSync(join(root, 'dist', action, 'index.js')).size;
  rows.push({ action, median: median(times), worst: Math.max(...times), entry, atStart, within });
}
rmSync(work, { recursive: true, force: true });

console.log(
  `Cold start on Node ${process.versions.node}, ${runs} runs each (first output: spawn → first stdout byte)\n`,
);
console.log(
  '| action | first output, median | worst | entry bundle | loaded before first output | loaded in its first 0.5 s of work | target met |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const ok = r.median <= 250 && r.atStart <= 3e6;
  console.log(
    `| ${r.action} | ${r.median.toFixed(0)} ms | ${r.worst.toFixed(0)} ms | ${mb(r.entry)} | ${mb(r.atStart)} | ${mb(r.within)} | ${ok ? 'yes' : 'no'} |`,
  );
}
