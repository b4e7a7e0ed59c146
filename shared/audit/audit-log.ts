import { closeSync, fdatasyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { redactValue } from '../secrets.js';
import { bodyHash, encodeRecord, GENESIS_HASH, parseRecordLine, RecordHmac } from './chain.js';
import type { AuditEvent } from './event.js';
import { readLastLine } from './last-line.js';

export interface AuditLogOptions {
  /** Adds an HMAC to every record; the same key must then be used for the whole file. */
  hmacKey?: string | Uint8Array;
  /**
   * `fsync` (default) makes every record durable before `append` returns, surviving even a
   * machine crash; `write` hands it to the kernel only, which survives the process being
   * killed and is much faster for bulk writes.
   */
  durability?: 'fsync' | 'write';
}

export interface AuditRecord<Event = AuditEvent> {
  seq: number;
  prev: string;
  hash: string;
  hmac?: string;
  /** The event as written: known secrets already redacted. */
  event: Event;
  /** The JSON line as written, without its newline. */
  line: string;
}

/**
 * Appends events to a JSONL hash chain. Opening an existing file continues its chain from the
 * last line, so several actions of one job share one log. Steps of a job run one after
 * another; two writers must not append to the same file at the same time.
 */
export class AuditLog {
  private fd: number | undefined;
  private seq: number;
  private prev: string;
  private readonly hmac: RecordHmac | undefined;
  private readonly durable: boolean;

  private constructor(
    readonly path: string,
    fd: number,
    next: { seq: number; prev: string },
    hmac: RecordHmac | undefined,
    durable: boolean,
  ) {
    this.fd = fd;
    this.seq = next.seq;
    this.prev = next.prev;
    this.hmac = hmac;
    this.durable = durable;
  }

  static open(path: string, options: AuditLogOptions = {}): AuditLog {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a+');
    try {
      const hmac = options.hmacKey === undefined ? undefined : new RecordHmac(options.hmacKey);
      const next = chainTail(path, fd, hmac);
      return new AuditLog(path, fd, next, hmac, options.durability !== 'write');
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** The seq the next record will get; also the number of records in the file. */
  get nextSeq(): number {
    return this.seq;
  }

  /** audithash of the last record, or 64 zeros for an empty log. */
  get lastHash(): string {
    return this.prev;
  }

  /** Writes one event; it is on disk when this returns. Known secrets are redacted first. */
  append<Event extends object = AuditEvent>(event: Event): AuditRecord<Event> {
    if (this.fd === undefined) throw new Error(`audit log ${this.path} is closed`);
    const safe = redactValue(event);
    const encoded = encodeRecord(safe, this.seq, this.prev, this.hmac);
    const bytes = Buffer.from(`${encoded.line}\n`, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    if (this.durable) fdatasyncSync(this.fd);
    const record: AuditRecord<Event> = {
      seq: this.seq,
      prev: this.prev,
      hash: encoded.hash,
      event: safe,
      line: encoded.line,
    };
    if (encoded.hmac) record.hmac = encoded.hmac;
    this.seq += 1;
    this.prev = encoded.hash;
    return record;
  }

  close(): void {
    if (this.fd === undefined) return;
    // Whatever the per-record durability, the finished log is on disk when the step ends.
    fdatasyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Where the chain in `fd` continues. Refuses a log whose end is damaged or keyed differently. */
function chainTail(path: string, fd: number, hmac: RecordHmac | undefined): { seq: number; prev: string } {
  const last = readLastLine(fd);
  if (last.kind === 'empty') return { seq: 0, prev: GENESIS_HASH };
  const advice = `Run deploy-audit-verify on it, and keep it as evidence; start a new log file.`;
  if (last.kind === 'incomplete') {
    throw new UserError(`Audit log ${path} ends with an incomplete record. ${advice}`);
  }
  const parsed = parseRecordLine(last.line, 0, last.line.length);
  if (typeof parsed === 'string') {
    throw new UserError(`Audit log ${path}: the last line is not an audit record (${parsed}). ${advice}`);
  }
  if (bodyHash(last.line, 0, parsed.bodyEnd) !== parsed.hash) {
    throw new UserError(`Audit log ${path}: the last record does not match its audithash. ${advice}`);
  }
  if (hmac && parsed.hmac !== hmac.sign(parsed.hash)) {
    throw new UserError(
      `Audit log ${path}: the last record's HMAC does not match the configured key (${parsed.hmac ? 'wrong key' : 'the log has no HMAC'}).`,
    );
  }
  if (!hmac && parsed.hmac) {
    throw new UserError(`Audit log ${path} is HMAC-protected, but no HMAC key is configured.`);
  }
  return { seq: parsed.seq + 1, prev: parsed.hash };
}
