import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EXIT_OK,
  EXIT_TAMPERED,
  EXIT_USAGE,
  runVerifyCommand,
} from '../../../shared/audit/verify-command.js';
import { tempDir, writeLines, writeLog } from './helpers.js';

let dir: string;
let cleanup: () => void;
let path: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'audit.jsonl');
});
afterEach(() => cleanup());

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runVerifyCommand(argv, {
    env,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe('deploy-audit-verify', () => {
  it('exits 0 on an intact log, with every check given', async () => {
    const lines = writeLog(path, 4, { hmacKey: 'k3y' });
    const last = JSON.parse(lines[3]!).audithash;
    const result = await run(
      [path, '--hmac-key-env', 'AUDIT_KEY', '--expect-count', '4', '--expect-last-hash', last.toUpperCase()],
      { AUDIT_KEY: 'k3y' },
    );
    expect(result).toEqual({
      code: EXIT_OK,
      stdout: `OK ${path}: 4 records verified, HMAC checked; last hash ${last}\n`,
      stderr: '',
    });
  });

  it('exits 1 and names line, seq and kind of the first bad record', async () => {
    const lines = writeLog(path, 5);
    lines.splice(1, 1);
    writeLines(path, lines);
    const result = await run([path]);
    expect(result.code).toBe(EXIT_TAMPERED);
    expect(result.stdout).toMatch(/^TAMPERED .*: line 2 \(seq 2\): deleted: 1 record is missing/);
  });

  it('prints JSON with --json', async () => {
    writeLog(path, 2);
    const ok = await run([path, '--json', '--expect-count', '3']);
    expect(ok.code).toBe(EXIT_TAMPERED);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      file: path,
      ok: false,
      records: 2,
      problem: { kind: 'truncated', line: 3, missing: 1 },
    });
  });

  it('exits 2 on usage errors', async () => {
    writeLog(path, 1);
    for (const argv of [
      [],
      [path, path],
      [path, '--unknown'],
      [path, '--expect-count', '-1'],
      [path, '--expect-last-hash', 'abc'],
      [path, '--hmac-key-env', 'MISSING'],
      [join(dir, 'absent.jsonl')],
    ]) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(EXIT_USAGE);
      expect(result.stderr).toMatch(/^deploy-audit-verify: /);
    }
    expect((await run(['--help'])).code).toBe(EXIT_OK);
  });

  it('never prints the HMAC key', async () => {
    writeLog(path, 1, { hmacKey: 'super-secret-key' });
    const result = await run([path, '--hmac-key-env', 'K', '--json'], { K: 'wrong-secret-key' });
    expect(result.code).toBe(EXIT_TAMPERED);
    expect(result.stdout + result.stderr).not.toMatch(/secret-key/);
  });
});
