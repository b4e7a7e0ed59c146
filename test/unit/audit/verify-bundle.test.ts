import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/harness.js';
import { readLines, tempDir, writeLines, writeLog } from './helpers.js';

// The verifier a regulator runs is the committed, dependency-free bundle, not the sources.
const bundle = join(repoRoot, 'dist/audit-verify/index.js');

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

function verify(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bundle, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
}

describe('dist/audit-verify bundle', () => {
  it('accepts an intact HMAC-signed log and rejects an edited one', () => {
    const path = join(dir, 'audit.jsonl');
    writeLog(path, 3, { hmacKey: 'regulator-key' });
    const ok = verify([path, '--hmac-key-env', 'KEY'], { KEY: 'regulator-key' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^OK .*: 3 records verified, HMAC checked/);

    const lines = readLines(path);
    lines[1] = lines[1]!.replace('"weight":1', '"weight":9');
    writeLines(path, lines);
    const bad = verify([path, '--hmac-key-env', 'KEY'], { KEY: 'regulator-key' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/TAMPERED .*line 2 \(seq 1\): edited/);
  });

  it('exits 2 with usage on bad arguments', () => {
    const result = verify([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/usage/i);
  });
});
