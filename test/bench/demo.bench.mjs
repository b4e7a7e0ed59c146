// Wall time and peak memory of the whole demo pipeline (`npm run demo`: three releases through
// deploy.yml's jobs, every action from its committed bundle, against the simulator, PostgreSQL,
// Prometheus and the receivers), measured by /usr/bin/time around one process tree.
// Peak memory is the largest resident set of any single process in the tree (the demo driver,
// an action step, PostgreSQL or Prometheus), which is what Linux reports for waited children.
// Target: the complete demo under 3 minutes.
//
//   npm run bench:demo
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'demo-bench-'));
const run = spawnSync(
  '/usr/bin/time',
  ['-f', 'TIME %e %M', process.execPath, join(root, 'demo/demo.mjs'), '--out', out],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
rmSync(out, { recursive: true, force: true });
const measured = /TIME ([\d.]+) (\d+)/.exec(run.stderr ?? '');
if (run.status !== 0 || !measured) {
  console.error(run.stdout, run.stderr);
  console.error(`demo exited with ${run.status}`);
  process.exit(1);
}
const [, seconds, kib] = measured;
console.log('| figure | value | target |');
console.log('|---|---|---|');
console.log(`| demo wall time | ${Number(seconds).toFixed(1)} s | < 180 s |`);
console.log(`| peak RSS of the largest process | ${(Number(kib) / 1024).toFixed(0)} MiB | — |`);
