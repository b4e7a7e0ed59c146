import { open } from 'node:fs/promises';
import {
  bodyHash,
  GENESIS_HASH,
  type ParsedRecord,
  parseRecordLine,
  RecordHmac,
  recordDefect,
} from './chain.js';

/**
 * Streaming verification of an audit log: memory stays flat in the number of records (one read
 * buffer, the last two hashes, and a bounded lookahead used only to explain a break). The first
 * bad record is reported, named by how the chain was broken.
 */

export type TamperKind =
  | 'edited'
  | 'bad-hmac'
  | 'deleted'
  | 'inserted'
  | 'reordered'
  | 'truncated'
  | 'malformed';

export interface TamperFinding {
  kind: TamperKind;
  /** 1-based line number of the first bad record. */
  line: number;
  /** Its auditseq, when the line could be read. */
  seq?: number;
  /** Deleted or truncated: how many records are missing. */
  missing?: number;
  message: string;
}

export interface VerifyOptions {
  /** When given, every record must carry a valid audithmac. */
  hmacKey?: string | Uint8Array;
  /** The number of records the log must hold (detects a cut end). */
  expectCount?: number;
  /** The audithash the last record must have, e.g. from the step summary or the HTTP sink. */
  expectLastHash?: string;
  /** How many lines after a break are read to tell a reordering from a deletion. */
  lookahead?: number;
}

export interface VerifyResult {
  ok: boolean;
  /** Records verified (all of them when ok). */
  records: number;
  /** audithash of the last good record; 64 zeros when there is none. */
  lastHash: string;
  lastSeq?: number;
  hmacChecked: boolean;
  problem?: TamperFinding;
}

const DEFAULT_LOOKAHEAD = 1000;
const READ_SIZE = 1024 * 1024;
const MAX_LINE = 64 * 1024 * 1024;
const NEWLINE = 0x0a;

interface Seen {
  line: number;
  seq: number;
  prev: string;
  hash: string;
}

/** Checks records one line at a time; feed it with `line` and then call `finish`. */
export class ChainVerifier {
  private readonly hmac: RecordHmac | undefined;
  private readonly lookahead: number;
  private count = 0;
  private prevHash = GENESIS_HASH;
  private prevPrevHash: string | undefined;
  private prevLine = 0;
  private lastLine = 0;
  private problem: TamperFinding | undefined;
  private suspect: { record: Seen; window: (Seen | undefined)[] } | undefined;
  private expectedHashAt: number | undefined;
  private extraAt: number | undefined;

  constructor(private readonly options: VerifyOptions = {}) {
    this.hmac = options.hmacKey === undefined ? undefined : new RecordHmac(options.hmacKey);
    this.lookahead = Math.max(1, options.lookahead ?? DEFAULT_LOOKAHEAD);
  }

  /** Checks the line `buf[start, end)`. Returns false once the verdict is known. */
  line(buf: Buffer, start: number, end: number, lineNumber: number): boolean {
    if (this.problem) return false;
    this.lastLine = lineNumber;
    const parsed = parseRecordLine(buf, start, end);
    if (this.suspect) {
      this.suspect.window.push(typeof parsed === 'string' ? undefined : seen(parsed, buf, start, lineNumber));
      if (this.suspect.window.length >= this.lookahead) this.explainBreak();
      return !this.problem;
    }
    if (typeof parsed === 'string')
      return this.fail({ kind: 'malformed', line: lineNumber, message: parsed });
    const record = seen(parsed, buf, start, lineNumber);
    const hashOk = record.hash === parsed.hash;
    const hmacOk = !this.hmac || (parsed.hmac !== undefined && this.hmac.sign(parsed.hash) === parsed.hmac);
    const linked = record.seq === this.count && record.prev === this.prevHash;
    if (hashOk && hmacOk && linked) {
      this.accept(record);
      return true;
    }
    const at = { line: lineNumber, seq: parsed.seq };
    const defect = recordDefect(parsed);
    if (defect) return this.fail({ kind: 'malformed', ...at, message: defect });
    if (!hashOk) {
      return this.fail({
        kind: 'edited',
        ...at,
        message: 'the record does not match its audithash: its content was changed',
      });
    }
    if (!hmacOk) {
      const message = parsed.hmac
        ? 'audithmac does not match: the record was re-hashed without the key, or the key is wrong'
        : 'the record has no audithmac';
      return this.fail({ kind: 'bad-hmac', ...at, message });
    }
    this.suspect = { record, window: [] };
    return true;
  }

  /** The file ended without a newline after `lineNumber - 1` complete lines. */
  incompleteLine(lineNumber: number): void {
    if (this.problem) return;
    if (this.suspect) {
      this.suspect.window.push(undefined);
      return;
    }
    this.fail({
      kind: 'malformed',
      line: lineNumber,
      message: 'the last line has no newline: the write was cut short or the file was edited',
    });
  }

  /** Stops reading: the line cannot be held in memory. */
  lineTooLong(lineNumber: number): void {
    if (!this.problem && !this.suspect) {
      this.fail({
        kind: 'malformed',
        line: lineNumber,
        message: `the line is longer than ${MAX_LINE} bytes`,
      });
    }
  }

  finish(): VerifyResult {
    if (this.suspect) this.explainBreak();
    if (!this.problem) this.checkEnd();
    const result: VerifyResult = {
      ok: !this.problem,
      records: this.count,
      lastHash: this.prevHash,
      hmacChecked: this.hmac !== undefined,
    };
    if (this.count > 0) result.lastSeq = this.count - 1;
    if (this.problem) result.problem = this.problem;
    return result;
  }

  private accept(record: Seen): void {
    this.prevPrevHash = this.prevHash;
    this.prevHash = record.hash;
    this.prevLine = record.line;
    this.count += 1;
    if (this.options.expectCount !== undefined && this.count === this.options.expectCount + 1) {
      this.extraAt = record.line;
    }
    if (this.expectedHashAt === undefined && record.hash === this.options.expectLastHash) {
      this.expectedHashAt = record.line;
    }
  }

  /** A record that does not continue the chain: decide, with what followed it, what happened. */
  private explainBreak(): void {
    const { record, window } = this.suspect!;
    this.suspect = undefined;
    const expected = this.count;
    const next = window[0];
    const nextContinues = next !== undefined && next.seq === expected && next.prev === this.prevHash;
    const at = { line: record.line, seq: record.seq };

    if (this.count > 0 && record.hash === this.prevHash) {
      this.fail({ kind: 'inserted', ...at, message: `the record repeats line ${this.prevLine}` });
    } else if (this.count > 0 && record.prev === this.prevPrevHash) {
      this.fail({
        kind: 'inserted',
        line: this.prevLine,
        seq: expected - 1,
        message: `the record is not part of the chain: line ${record.line} (seq ${record.seq}) links to the record before it`,
      });
    } else if (nextContinues && !window.some((entry) => entry?.prev === record.hash)) {
      this.fail({
        kind: 'inserted',
        ...at,
        message: `the record is not part of the chain: line ${next.line} continues from line ${this.prevLine || 'none'}`,
      });
    } else if (record.seq < expected) {
      this.fail({
        kind: 'inserted',
        ...at,
        message: `seq ${record.seq} was already used (expected seq ${expected}): a copied or forged record`,
      });
    } else if (record.seq > expected) {
      const later = window.find((entry) => entry?.seq === expected);
      if (record.prev === this.prevHash) {
        this.fail({
          kind: 'edited',
          ...at,
          message: `auditseq jumps from ${expected - 1} to ${record.seq} while auditprev links to the previous record: auditseq was changed`,
        });
      } else if (later) {
        this.fail({
          kind: 'reordered',
          ...at,
          message: `seq ${record.seq} comes before seq ${expected}, which appears later at line ${later.line}`,
        });
      } else {
        const missing = record.seq - expected;
        this.fail({
          kind: 'deleted',
          ...at,
          missing,
          message:
            expected === 0
              ? `the first ${plural(missing, 'record is', 'records are')} missing: the log starts at seq ${record.seq}`
              : `${plural(missing, 'record is', 'records are')} missing before this line: seq jumps from ${expected - 1} to ${record.seq}`,
        });
      }
    } else if (this.count === 0) {
      this.fail({
        kind: 'edited',
        ...at,
        message: 'the first record does not start the chain: auditprev is not 64 zeros',
      });
    } else {
      this.fail({
        kind: 'edited',
        line: this.prevLine,
        seq: expected - 1,
        message: `the record was changed and re-hashed: line ${record.line} (seq ${record.seq}) records a different audithash for it`,
      });
    }
  }

  private checkEnd(): void {
    const { expectCount, expectLastHash } = this.options;
    const endLine = this.lastLine + 1;
    if (expectCount !== undefined && this.count < expectCount) {
      const missing = expectCount - this.count;
      this.fail({
        kind: 'truncated',
        line: endLine,
        missing,
        message: `${plural(missing, 'record is', 'records are')} missing at the end: found ${this.count}, expected ${expectCount}`,
      });
    } else if (expectCount !== undefined && this.count > expectCount) {
      this.fail({
        kind: 'inserted',
        line: this.extraAt ?? endLine,
        seq: expectCount,
        message: `${plural(this.count - expectCount, 'record follows', 'records follow')} the expected end of ${expectCount} records`,
      });
    } else if (expectLastHash !== undefined && this.prevHash !== expectLastHash) {
      if (this.expectedHashAt !== undefined) {
        this.fail({
          kind: 'inserted',
          line: this.expectedHashAt + 1,
          message: `records follow the expected last record (line ${this.expectedHashAt})`,
        });
      } else {
        this.fail({
          kind: 'truncated',
          line: endLine,
          message: `the log does not contain the expected last record ${expectLastHash.slice(0, 12)}…: its end was removed or replaced`,
        });
      }
    }
  }

  private fail(problem: TamperFinding): false {
    this.problem = problem;
    return false;
  }
}

function seen(parsed: ParsedRecord, buf: Buffer, start: number, line: number): Seen {
  return { line, seq: parsed.seq, prev: parsed.prev, hash: bodyHash(buf, start, parsed.bodyEnd) };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Verifies an audit log file by streaming it. */
export async function verifyAuditFile(path: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const verifier = new ChainVerifier(options);
  const handle = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(READ_SIZE);
    let filled = 0;
    let lineNumber = 0;
    for (;;) {
      if (filled === buf.length) {
        if (buf.length >= MAX_LINE) {
          verifier.lineTooLong(lineNumber + 1);
          return verifier.finish();
        }
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      if (bytesRead === 0) break;
      const scanFrom = filled;
      filled += bytesRead;
      const view = buf.subarray(0, filled);
      let start = 0;
      let newline = view.indexOf(NEWLINE, scanFrom);
      while (newline !== -1) {
        lineNumber += 1;
        if (!verifier.line(view, start, newline, lineNumber)) return verifier.finish();
        start = newline + 1;
        newline = view.indexOf(NEWLINE, start);
      }
      buf.copy(buf, 0, start, filled);
      filled -= start;
    }
    if (filled > 0) verifier.incompleteLine(lineNumber + 1);
    return verifier.finish();
  } finally {
    await handle.close();
  }
}
