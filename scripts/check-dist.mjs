// Fails when dist/ differs from what the sources build to, new untracked files included.
// Run after `npm run build`.
import { spawnSync } from 'node:child_process';

const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all', '--', 'dist'], {
  encoding: 'utf8',
});
if (status.status !== 0) {
  console.error(status.stderr);
  process.exit(2);
}
if (status.stdout.trim()) {
  console.error('dist/ is stale: rebuild with `npm run build` and commit the result. Differences:');
  console.error(status.stdout);
  spawnSync('git', ['--no-pager', 'diff', '--stat', '--', 'dist'], { stdio: 'inherit' });
  process.exit(1);
}
console.log('dist/ matches a fresh build.');
