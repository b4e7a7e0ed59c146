import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../shared/audit/audit-log.js';
import {
  encodeRecord,
  GENESIS_HASH,
  parseRecordLine,
  RecordHmac,
  recordDefect,
} from '../../../shared/audit/chain.js';
import { UserError } from '../../../shared/errors.js';
import { registerSecret, resetSecretsForTest } from '../../../shared/secrets.js';
import { readLines, sampleEvent, tempDir, writeLog } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  resetSecretsForTest();
});
afterEach(() => {
  cleanup();
  resetSecretsForTest();
});

describe('record format', () => {
  it('puts auditseq and auditprev first and audithash last, hashing the line without it', () => {
    const { line, hash } = encodeRecord({ specversion: '1.0', id: 'x', data: { n: 1 } }, 5, 'a'.repeat(64));
    expect(line.startsWith(`{"auditseq":5,"auditprev":"${'a'.repeat(64)}","specversion":"1.0"`)).toBe(true);
    expect(line.endsWith(`,"audithash":"${hash}"}`)).toBe(true);
    const parsed = JSON.parse(line);
    const { audithash, ...rest } = parsed;
    expect(audithash).toBe(hash);
    expect(createHash('sha256').update(JSON.stringify(rest)).digest('hex')).toBe(hash);
  });

  it('adds audithmac, the HMAC of the audithash string, after audithash', () => {
    const { line, hash, hmac } = encodeRecord({ id: 'x' }, 0, GENESIS_HASH, new RecordHmac('k3y'));
    expect(hmac).toBe(createHmac('sha256', 'k3y').update(hash).digest('hex'));
    expect(line.endsWith(`,"audithash":"${hash}","audithmac":"${hmac}"}`)).toBe(true);
    expect(parseRecordLine(Buffer.from(line), 0, line.length)).toMatchObject({ seq: 0, hash, hmac });
  });

  it('computes the same HMAC as node:crypto for any key length', () => {
    for (const key of ['k', 'x'.repeat(64), 'y'.repeat(100), Buffer.from([0, 1, 2, 255])]) {
      const message = 'f'.repeat(64);
      expect(new RecordHmac(key).sign(message)).toBe(createHmac('sha256', key).update(message).digest('hex'));
    }
    expect(new RecordHmac('k').sign('short é')).toBe(
      createHmac('sha256', 'k').update('short é').digest('hex'),
    );
    expect(() => new RecordHmac('')).toThrow(/empty/);
  });

  it('drops chain members an event tries to carry, keeps nested ones as data', () => {
    const { line } = encodeRecord(
      { auditseq: 99, audithash: 'forged', data: { audithash: 'inner' } },
      1,
      GENESIS_HASH,
    );
    const parsed = JSON.parse(line);
    expect(parsed.auditseq).toBe(1);
    expect(parsed.data.audithash).toBe('inner');
    expect(parseRecordLine(Buffer.from(line), 0, line.length)).toMatchObject({ seq: 1 });
  });

  it('keeps non-ASCII text intact and hashes its UTF-8 bytes', () => {
    const { line, hash } = encodeRecord({ note: 'Zürich — 東京 \u2028 🚀' }, 0, GENESIS_HASH);
    const { audithash, ...rest } = JSON.parse(line);
    expect(audithash).toBe(hash);
    expect(rest.note).toBe('Zürich — 東京 \u2028 🚀');
  });

  it('names what is wrong with a line that is not a record', () => {
    const ok = encodeRecord({ id: 'x' }, 3, GENESIS_HASH).line;
    const parse = (text: string) => parseRecordLine(Buffer.from(text), 0, Buffer.byteLength(text));
    expect(parse('')).toBe('empty line');
    expect(parse('{"a":1}')).toMatch(/too short/);
    expect(parse(ok.replace('{"auditseq":3', '{"auditseq":"3"'))).toMatch(/auditseq/);
    expect(parse(ok.replace('{"auditseq":3', '{"auditseq":03'))).toMatch(/auditseq/);
    const badPrev = parse(ok.replace('"auditprev":"0', '"auditprev":"Z'));
    expect(typeof badPrev === 'string' ? badPrev : recordDefect(badPrev)).toMatch(/auditprev is not 64/);
    const good = parse(ok);
    expect(typeof good === 'string' ? good : recordDefect(good)).toBeUndefined();
    expect(parse(`${ok.slice(0, -1)},"extra":1}`)).toMatch(/audithash/);
    expect(parse(`${ok} `)).toMatch(/audithash/);
  });
});

describe('AuditLog', () => {
  it('starts a chain at seq 0 from 64 zeros and links each record to the one before', () => {
    const path = join(dir, 'audit.jsonl');
    const log = AuditLog.open(path);
    const first = log.append(sampleEvent(0));
    const second = log.append(sampleEvent(1));
    expect(first).toMatchObject({ seq: 0, prev: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 1, prev: first.hash });
    expect(log.nextSeq).toBe(2);
    expect(log.lastHash).toBe(second.hash);
    // On disk before close: an action may be killed at any moment.
    expect(readLines(path)).toEqual([first.line, second.line]);
    log.close();
    log.close();
    expect(() => log.append(sampleEvent(2))).toThrow(/closed/);
  });

  it('continues the chain of an existing file, as a second action of the job does', () => {
    const path = join(dir, 'nested', 'dir', 'audit.jsonl');
    const first = AuditLog.open(path);
    first.append(sampleEvent(0));
    const last = first.append(sampleEvent(1));
    first.close();
    const second = AuditLog.open(path);
    expect(second.nextSeq).toBe(2);
    expect(second.lastHash).toBe(last.hash);
    expect(second.append(sampleEvent(2))).toMatchObject({ seq: 2, prev: last.hash });
    second.close();
    expect(readLines(path).map((line) => JSON.parse(line).auditseq)).toEqual([0, 1, 2]);
  });

  it('reads only the last line, however long, when continuing', () => {
    const path = join(dir, 'audit.jsonl');
    const log = AuditLog.open(path, { durability: 'write' });
    log.append(sampleEvent(0));
    const big = log.append(sampleEvent(1, { blob: 'x'.repeat(200_000) }));
    log.close();
    const again = AuditLog.open(path);
    expect(again.lastHash).toBe(big.hash);
    again.close();
  });

  it('refuses to continue a log whose end is cut or altered', () => {
    const path = join(dir, 'audit.jsonl');
    const lines = writeLog(path, 3);
    appendFileSync(path, lines[0]!.slice(0, 40));
    expect(() => AuditLog.open(path)).toThrow(/incomplete record/);

    writeFileSync(path, `${lines[0]}\n${lines[1]!.replace('"weight":1', '"weight":9')}\n`);
    expect(() => AuditLog.open(path)).toThrow(/does not match its audithash/);

    writeFileSync(path, `${lines[0]}\nnot a record\n`);
    const error = (() => {
      try {
        AuditLog.open(path);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/not an audit record/);
  });

  it('refuses to mix HMAC keys or to drop the HMAC of a keyed log', () => {
    const path = join(dir, 'audit.jsonl');
    writeLog(path, 2, { hmacKey: 'right' });
    expect(() => AuditLog.open(path, { hmacKey: 'wrong' })).toThrow(/wrong key/);
    expect(() => AuditLog.open(path)).toThrow(/HMAC-protected/);
    const plain = join(dir, 'plain.jsonl');
    writeLog(plain, 1);
    expect(() => AuditLog.open(plain, { hmacKey: 'k' })).toThrow(/no HMAC/);
    const ok = AuditLog.open(path, { hmacKey: 'right' });
    expect(ok.append(sampleEvent(2)).hmac).toMatch(/^[0-9a-f]{64}$/);
    ok.close();
  });

  it('never writes a registered secret, even deep inside an event', () => {
    registerSecret('s3cr3t-db-password');
    const path = join(dir, 'audit.jsonl');
    const log = AuditLog.open(path);
    const record = log.append(
      sampleEvent(0, { dsn: 'postgres://app:s3cr3t-db-password@db/app', list: ['s3cr3t-db-password'] }),
    );
    log.close();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('s3cr3t-db-password');
    expect(text).toContain('postgres://app:***@db/app');
    expect(record.line).not.toContain('s3cr3t-db-password');
    expect(JSON.stringify(record.event)).not.toContain('s3cr3t-db-password');
  });
});
