// Benchmark of SBOM generation for the ≥1,000-package lockfile (parse-server, 1809 entries):
// this action's generator (CycloneDX 1.6 + SPDX 2.3, both schema-validated and written) versus
// `cyclonedx-npm --package-lock-only --output-format JSON` on the same lockfile, in the same
// run. Each side runs as its own process (wall time from spawn to exit, peak RSS of the
// process tree from /usr/bin/time), best of N runs.
//
// Then the action's start-up: the size of the entry bundle the runner loads first (the SBOM
// renderers are separate chunks, loaded after the build) and the time `node
// dist/build-and-sbom/index.js` takes to fail on its missing `image` input, median of 10 runs.
//
// Build first, then run with Node 24 from the repository root:
//   npm run build -- build-and-sbom && npx node test/bench/sbom.bench.mjs [--runs 3]
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lockfile = join(root, 'test/fixtures/lockfiles/parse-server_package-lock.json');
const { values } = parseArgs({
  options: { phase: { type: 'string' }, dir: { type: 'string' }, runs: { type: 'string', default: '3' } },
});

if (values.phase === 'ours') {
  const { loadLockfile } = await import(join(root, 'build/actions/build-and-sbom/sbom/load-lockfile.js'));
  const { generateSboms } = await import(join(root, 'build/actions/build-and-sbom/sbom/generate.js'));
  const result = generateSboms(loadLockfile(join(values.dir, 'package-lock.json')), {
    lockfile: '',
    outputDir: values.dir,
    formats: ['cyclonedx-json', 'spdx-json'],
    includeDev: false,
    toolVersion: 'bench',
    timestamp: new Date(),
  });
  console.log(JSON.stringify({ components: result.components }));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'sbom-bench-'));
  try {
    copyFileSync(lockfile, join(dir, 'package-lock.json'));
    const rootEntry = JSON.parse(readFileSync(lockfile, 'utf8')).packages[''];
    const keys = ['name', 'version', 'license', 'dependencies', 'devDependencies', 'optionalDependencies'];
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify(Object.fromEntries(keys.filter((k) => k in rootEntry).map((k) => [k, rootEntry[k]]))),
    );
    const runs = Number(values.runs);
    const ours = best(runs, () =>
      measure(process.execPath, [fileURLToPath(import.meta.url), '--phase', 'ours', '--dir', dir], dir),
    );
    const theirs = best(runs, () =>
      measure(
        join(root, 'node_modules/.bin/cyclonedx-npm'),
        [
          '--package-lock-only',
          '--omit',
          'dev',
          '--output-format',
          'JSON',
          '--output-file',
          join(dir, 'cdx-npm.json'),
        ],
        dir,
      ),
    );
    console.log(
      `node ${process.version}; lockfile ${lockfile.replace(root, '')} (1809 entries, 706 production installs); best of ${runs}`,
    );
    console.log(
      `build-and-sbom (CycloneDX + SPDX, validated): ${ours.ms.toFixed(0)} ms, peak RSS ${ours.rssMiB.toFixed(1)} MiB`,
    );
    console.log(
      `cyclonedx-npm --package-lock-only (CycloneDX): ${theirs.ms.toFixed(0)} ms, peak RSS ${theirs.rssMiB.toFixed(1)} MiB`,
    );
    const ratio = ours.ms / theirs.ms;
    console.log(
      `time ratio ${ratio.toFixed(2)}x (target <= 0.5x): ${ratio <= 0.5 ? 'met' : 'NOT met'}; memory ratio ${(ours.rssMiB / theirs.rssMiB).toFixed(2)}x`,
    );
    startUp();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function startUp() {
  const dist = join(root, 'dist/build-and-sbom');
  const entry = statSync(join(dist, 'index.js')).size;
  const chunks = readdirSync(dist)
    .filter((name) => name.endsWith('.js'))
    .reduce((sum, name) => sum + statSync(join(dist, name)).size, 0);
  const cwd = mkdtempSync(join(tmpdir(), 'sbom-start-'));
  try {
    const runs = Array.from({ length: 10 }, () => {
      const run = measure(process.execPath, [join(dist, 'index.js')], cwd, { allowFailure: true });
      if (!run.stdout.includes('input "image" is required'))
        throw new Error(`unexpected output: ${run.stdout}`);
      return run;
    });
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
    const median = (ms[4] + ms[5]) / 2;
    console.log(
      `start-up: entry bundle ${entry} bytes (target <= 3 MB; all chunks ${chunks} bytes); input error after ${median.toFixed(0)} ms median of 10 (target <= 250 ms: ${median <= 250 ? 'met' : 'NOT met'}), peak RSS ${Math.max(...runs.map((r) => r.rssMiB)).toFixed(1)} MiB`,
    );
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

function measure(command, args, cwd, { allowFailure = false } = {}) {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` },
  });
  const ms = performance.now() - started;
  if (result.status !== 0 && !allowFailure) throw new Error(`${command} failed: ${result.stderr}`);
  const kib = Number(result.stderr.trim().split('\n').at(-1));
  return { ms, rssMiB: kib / 1024, stdout: result.stdout };
}

function best(runs, fn) {
  const results = Array.from({ length: runs }, fn);
  return { ms: Math.min(...results.map((r) => r.ms)), rssMiB: Math.max(...results.map((r) => r.rssMiB)) };
}
