import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../shared/audit/audit-log.js';
import { encodeRecord, GENESIS_HASH, RecordHmac } from '../../../shared/audit/chain.js';
import { type VerifyOptions, verifyAuditFile } from '../../../shared/audit/verify.js';
import { readLines, sampleEvent, tempDir, writeLines, writeLog } from './helpers.js';

let dir: string;
let cleanup: () => void;
let path: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'audit.jsonl');
});
afterEach(() => cleanup());

/** Re-encodes a line after `change`, as a forger without the HMAC key would. */
function rehash(line: string, change: (record: Record<string, unknown>) => void, key?: string): string {
  const record = JSON.parse(line);
  change(record);
  return encodeRecord(record, record.auditseq, record.auditprev, key ? new RecordHmac(key) : undefined).line;
}

async function verifyLines(lines: string[], options: VerifyOptions = {}) {
  writeLines(path, lines);
  return verifyAuditFile(path, options);
}

describe('verifyAuditFile on an intact log', () => {
  it('accepts a clean chain and reports its count and last hash', async () => {
    const log = AuditLog.open(path, { durability: 'write' });
    for (let i = 0; i < 25; i++) log.append(sampleEvent(i));
    const lastHash = log.lastHash;
    log.close();
    const result = await verifyAuditFile(path, { expectCount: 25, expectLastHash: lastHash });
    expect(result).toEqual({ ok: true, records: 25, lastSeq: 24, lastHash, hmacChecked: false });
  });

  it('accepts an empty log', async () => {
    writeFileSync(path, '');
    expect(await verifyAuditFile(path)).toEqual({
      ok: true,
      records: 0,
      lastHash: GENESIS_HASH,
      hmacChecked: false,
    });
  });

  it('accepts one chain written by two writers in turn (two actions of one job)', async () => {
    writeLog(path, 3);
    const second = AuditLog.open(path, { durability: 'write' });
    second.append(sampleEvent(3));
    second.close();
    writeLog(path, 2);
    const result = await verifyAuditFile(path, { expectCount: 6 });
    expect(result.ok).toBe(true);
    expect(result.lastSeq).toBe(5);
  });

  it('streams files larger than its read buffer, and lines longer than it', async () => {
    const log = AuditLog.open(path, { durability: 'write' });
    for (let i = 0; i < 1500; i++) log.append(sampleEvent(i, { padding: 'p'.repeat(1000 + (i % 7)) }));
    log.append(sampleEvent(1500, { blob: 'b'.repeat(3 * 1024 * 1024) }));
    log.append(sampleEvent(1501));
    log.close();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 1502 });
    const lines = readLines(path);
    lines[1400] = lines[1400]!.replace('"padding":"p', '"padding":"q');
    expect((await verifyLines(lines)).problem).toMatchObject({ kind: 'edited', line: 1401, seq: 1400 });
  });
});

describe('verifyAuditFile names the first bad record', () => {
  it('edited: content changed without re-hashing', async () => {
    const lines = writeLog(path, 10);
    lines[3] = lines[3]!.replace('"outcome":"success"', '"outcome":"failure"');
    const result = await verifyLines(lines);
    expect(result.ok).toBe(false);
    expect(result.records).toBe(3);
    expect(result.problem).toMatchObject({ kind: 'edited', line: 4, seq: 3 });
  });

  it('edited: content changed and re-hashed, caught by the next record', async () => {
    const lines = writeLog(path, 10);
    lines[3] = rehash(lines[3]!, (record) => {
      (record.data as Record<string, unknown>).actor = 'mallory';
    });
    expect((await verifyLines(lines)).problem).toMatchObject({ kind: 'edited', line: 4, seq: 3 });
  });

  it('edited: the first record re-linked', async () => {
    const lines = writeLog(path, 3);
    lines[0] = rehash(lines[0]!, (record) => {
      record.auditprev = 'f'.repeat(64);
    });
    expect((await verifyLines(lines)).problem).toMatchObject({ kind: 'edited', line: 1, seq: 0 });
  });

  it('edited: auditseq renumbered and re-hashed', async () => {
    const lines = writeLog(path, 5);
    lines[2] = rehash(lines[2]!, (record) => {
      record.auditseq = 7;
    });
    expect((await verifyLines(lines)).problem).toMatchObject({ kind: 'edited', line: 3, seq: 7 });
  });

  it('bad HMAC: a re-hashed record cannot forge the HMAC', async () => {
    const lines = writeLog(path, 6, { hmacKey: 'audit-key' });
    expect(await verifyAuditFile(path, { hmacKey: 'audit-key' })).toMatchObject({
      ok: true,
      hmacChecked: true,
    });
    lines[5] = rehash(lines[5]!, (record) => {
      record.time = '2020-01-01T00:00:00.000Z';
    });
    expect((await verifyLines(lines, { hmacKey: 'audit-key' })).problem).toMatchObject({
      kind: 'bad-hmac',
      line: 6,
      seq: 5,
      message: expect.stringMatching(/no audithmac/),
    });
    lines[5] = rehash(lines[5]!, () => {}, 'guessed-key');
    expect((await verifyLines(lines, { hmacKey: 'audit-key' })).problem).toMatchObject({
      kind: 'bad-hmac',
      line: 6,
    });
  });

  it('bad HMAC: wrong key, or no HMAC at all when a key is given', async () => {
    writeLog(path, 3, { hmacKey: 'audit-key' });
    expect((await verifyAuditFile(path, { hmacKey: 'other-key' })).problem).toMatchObject({
      kind: 'bad-hmac',
      line: 1,
    });
    // Without a key the hash chain alone still verifies.
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, hmacChecked: false });
    const plain = join(dir, 'plain.jsonl');
    writeLog(plain, 2);
    expect((await verifyAuditFile(plain, { hmacKey: 'audit-key' })).problem).toMatchObject({
      kind: 'bad-hmac',
      line: 1,
      seq: 0,
    });
  });

  it('deleted: records missing in the middle, with how many', async () => {
    const lines = writeLog(path, 10);
    lines.splice(4, 2);
    const result = await verifyLines(lines);
    expect(result.problem).toMatchObject({ kind: 'deleted', line: 5, seq: 6, missing: 2 });
    expect(result.problem!.message).toMatch(/2 records are missing/);
  });

  it('deleted: the first records', async () => {
    const lines = writeLog(path, 5);
    lines.shift();
    expect((await verifyLines(lines)).problem).toMatchObject({
      kind: 'deleted',
      line: 1,
      seq: 1,
      missing: 1,
    });
  });

  it('inserted: an old record copied further down', async () => {
    const lines = writeLog(path, 10);
    lines.splice(6, 0, lines[2]!);
    expect((await verifyLines(lines)).problem).toMatchObject({ kind: 'inserted', line: 7, seq: 2 });
  });

  it('inserted: a record repeated right after itself', async () => {
    const lines = writeLog(path, 5);
    lines.splice(3, 0, lines[2]!);
    expect((await verifyLines(lines)).problem).toMatchObject({ kind: 'inserted', line: 4, seq: 2 });
  });

  it('inserted: a forged record linked into the chain, exposed by its successor', async () => {
    const lines = writeLog(path, 6);
    const before = JSON.parse(lines[2]!);
    const forged = encodeRecord(sampleEvent(99), 3, before.audithash).line;
    lines.splice(3, 0, forged);
    expect((await verifyLines(lines)).problem).toMatchObject({ kind: 'inserted', line: 4, seq: 3 });
  });

  it('inserted: a forged record with a new seq between two linked records', async () => {
    const lines = writeLog(path, 6);
    lines.splice(3, 0, encodeRecord(sampleEvent(99), 40, 'e'.repeat(64)).line);
    expect((await verifyLines(lines)).problem).toMatchObject({ kind: 'inserted', line: 4, seq: 40 });
  });

  it('reordered: two records swapped', async () => {
    const lines = writeLog(path, 8);
    [lines[3], lines[4]] = [lines[4]!, lines[3]!];
    const result = await verifyLines(lines);
    expect(result.problem).toMatchObject({ kind: 'reordered', line: 4, seq: 4 });
    expect(result.problem!.message).toMatch(/seq 3, which appears later at line 5/);
  });

  it('reordered: a record moved far down, within the lookahead window', async () => {
    const lines = writeLog(path, 30);
    const [moved] = lines.splice(5, 1);
    lines.splice(25, 0, moved!);
    expect((await verifyLines(lines)).problem).toMatchObject({ kind: 'reordered', line: 6, seq: 6 });
    // Beyond the window the record cannot be found in time: it reads as a deletion.
    expect((await verifyLines(lines, { lookahead: 5 })).problem).toMatchObject({
      kind: 'deleted',
      line: 6,
      missing: 1,
    });
  });

  it('truncated: records cut from the end, caught with --expect-count or --expect-last-hash', async () => {
    const lines = writeLog(path, 10);
    const lastHash = JSON.parse(lines[9]!).audithash;
    lines.splice(8, 2);
    expect(await verifyLines(lines)).toMatchObject({ ok: true, records: 8 });
    expect((await verifyLines(lines, { expectCount: 10 })).problem).toMatchObject({
      kind: 'truncated',
      line: 9,
      missing: 2,
    });
    expect((await verifyLines(lines, { expectLastHash: lastHash })).problem).toMatchObject({
      kind: 'truncated',
      line: 9,
    });
  });

  it('inserted: records appended after the expected end', async () => {
    const lines = writeLog(path, 5);
    const lastHash = JSON.parse(lines[4]!).audithash;
    writeLog(path, 2);
    expect((await verifyAuditFile(path, { expectCount: 5 })).problem).toMatchObject({
      kind: 'inserted',
      line: 6,
      seq: 5,
    });
    expect((await verifyAuditFile(path, { expectLastHash: lastHash })).problem).toMatchObject({
      kind: 'inserted',
      line: 6,
    });
  });

  it('malformed: a line that is not a record, a blank line, a cut last line', async () => {
    const lines = writeLog(path, 4);
    expect((await verifyLines([...lines.slice(0, 2), 'hello', ...lines.slice(2)])).problem).toMatchObject({
      kind: 'malformed',
      line: 3,
    });
    expect((await verifyLines([...lines.slice(0, 1), '', ...lines.slice(1)])).problem).toMatchObject({
      kind: 'malformed',
      line: 2,
      message: 'empty line',
    });
    const badHash = lines[2]!.replace(/"audithash":"[0-9a-f]/, '"audithash":"X');
    expect((await verifyLines([...lines.slice(0, 2), badHash, lines[3]!])).problem).toMatchObject({
      kind: 'malformed',
      line: 3,
      seq: 2,
      message: 'audithash is not 64 lowercase hex digits',
    });
    writeFileSync(path, `${lines.join('\n')}\n${lines[0]!.slice(0, 50)}`);
    expect((await verifyAuditFile(path)).problem).toMatchObject({
      kind: 'malformed',
      line: 5,
      message: expect.stringMatching(/no newline/),
    });
  });

  it('reports the first problem when there are several', async () => {
    const lines = writeLog(path, 10);
    lines[7] = 'garbage';
    lines.splice(2, 1);
    expect((await verifyLines(lines)).problem).toMatchObject({ kind: 'deleted', line: 3 });
  });
});
