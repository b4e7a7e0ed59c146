#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 184:
/***/ ((__webpack_module__, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(__webpack_module__, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _verify_command_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(296);
// Entry of the `deploy-audit-verify` command, bundled to dist/audit-verify/index.js.

process.exitCode = await (0,_verify_command_js__WEBPACK_IMPORTED_MODULE_0__/* .runVerifyCommand */ .Az)(process.argv.slice(2));

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 296:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Az: () => (/* binding */ runVerifyCommand)
});

// UNUSED EXPORTS: EXIT_OK, EXIT_TAMPERED, EXIT_USAGE, USAGE

;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
;// CONCATENATED MODULE: ./build/shared/errors.js
/**
 * A mistake the user can fix (a bad input, config value or report). Actions print its message
 * alone, without a stack trace, so the message must name what was wrong and where.
 */
class UserError extends Error {
    name = 'UserError';
}
/** A config file problem, located at `file:line:column` and at a dotted value path. */
class ConfigError extends UserError {
    problems;
    name = 'ConfigError';
    constructor(problems) {
        super(problems.map(formatProblem).join('\n'));
        this.problems = problems;
    }
}
function formatProblem(problem) {
    const where = problem.position
        ? `${problem.position.file}:${problem.position.line}:${problem.position.column}`
        : '';
    return [where, problem.path ? `${problem.path}:` : '', problem.message].filter(Boolean).join(' ');
}
/** Formats a key path the way users write it: `a.b[2].c`. */
function formatPath(path) {
    let out = '';
    for (const key of path) {
        if (typeof key === 'number')
            out += `[${key}]`;
        else
            out += out ? `.${String(key)}` : String(key);
    }
    return out;
}
function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:readline"
const external_node_readline_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:readline");
;// CONCATENATED MODULE: ./build/shared/audit/timeline.js


/** `dev.cdevents.service.rolledback.0.3.0` → `service.rolledback`; project events likewise. */
function shortEventName(type) {
    const cdevent = /^dev\.cdevents\.([a-z]+)\.([a-z]+)\.\d/.exec(type);
    if (cdevent)
        return `${cdevent[1]}.${cdevent[2]}`;
    const project = /^dev\.deploy-actions\.([a-z-]+)\.([a-z-]+)\.v\d+$/.exec(type);
    if (project)
        return `${project[1]}.${project[2]}`;
    return type;
}
function factsOf(data) {
    // CDEvents carry the suite's facts in customData; project events are the facts themselves.
    return (data.customData ?? data) || {};
}
function subjectOf(record, facts) {
    const data = record.data;
    const content = data?.subject?.content;
    if (typeof content?.taskName === 'string')
        return content.taskName;
    if (typeof record.subject === 'string' && !record.subject.includes('/actions/runs/'))
        return record.subject;
    return facts.action?.name ?? String(record.subject ?? '');
}
function scalar(value) {
    if (value === null || value === undefined || value === '')
        return undefined;
    if (Array.isArray(value))
        return value.length ? value.map((v) => scalar(v) ?? '').join(', ') : undefined;
    if (typeof value === 'object')
        return undefined;
    return String(value);
}
const SHOWN_DETAILS = 6;
function detailOf(event, facts) {
    const d = facts.details ?? {};
    const parts = [];
    if (event === 'traffic.shifted' && d.to !== undefined) {
        parts.push(`canary weight ${scalar(d.from) ?? '?'}% → ${scalar(d.to)}%${d.via ? ` via ${scalar(d.via)}` : ''}`);
    }
    else if (event === 'canary-analysis.decided' && d.decision) {
        parts.push(`decision ${scalar(d.decision)}`);
    }
    if (facts.version)
        parts.push(`version ${facts.version}`);
    if (facts.image && !parts.some((p) => p.includes(facts.image)))
        parts.push(`image ${facts.image}`);
    if (facts.approvers?.length)
        parts.push(`approved by ${facts.approvers.join(', ')}`);
    if (facts.reason)
        parts.push(`reason: ${facts.reason}`);
    const shown = new Set(['from', 'to', 'via', 'decision', 'facts', 'headline']);
    if (typeof d.headline === 'string')
        parts.unshift(d.headline);
    let count = 0;
    for (const [key, value] of Object.entries(d)) {
        if (shown.has(key) || count >= SHOWN_DETAILS)
            continue;
        const text = scalar(value);
        if (text === undefined)
            continue;
        parts.push(`${key} ${text.length > 120 ? `${text.slice(0, 117)}…` : text}`);
        count += 1;
    }
    return parts.join('; ');
}
/** One record of the log (a hash-chained CloudEvent) as a timeline entry. */
function timelineEntry(record, index) {
    const facts = factsOf(record.data ?? {});
    const event = shortEventName(String(record.type ?? 'unknown'));
    const entry = {
        seq: typeof record.auditseq === 'number' ? record.auditseq : index,
        time: String(record.time ?? ''),
        event,
        subject: subjectOf(record, facts),
        detail: detailOf(event, facts),
    };
    if (facts.job)
        entry.job = facts.job;
    if (facts.action?.name)
        entry.action = facts.action.name;
    if (facts.actor)
        entry.actor = facts.actor;
    if (facts.environment)
        entry.environment = facts.environment;
    if (facts.outcome)
        entry.outcome = facts.outcome;
    return entry;
}
/** Reads a JSONL audit log into timeline entries, oldest first; unreadable lines are skipped. */
async function readTimeline(path) {
    const entries = [];
    const lines = (0,external_node_readline_namespaceObject.createInterface)({
        input: (0,external_node_fs_namespaceObject.createReadStream)(path, 'utf8'),
        crlfDelay: Number.POSITIVE_INFINITY,
    });
    let index = 0;
    for await (const line of lines) {
        if (!line.trim())
            continue;
        try {
            entries.push(timelineEntry(JSON.parse(line), index));
        }
        catch {
            // The verifier reports malformed lines; the story goes on without them.
        }
        index += 1;
    }
    return entries;
}
function clock(time) {
    return /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(time)?.[1] ?? time;
}
/** Plain text, one line per entry, for a terminal or a log. */
function renderTimelineText(entries) {
    return entries
        .map((e) => {
        const where = [e.job, e.action].filter(Boolean).join('/');
        const outcome = e.outcome && e.outcome !== 'started' ? ` [${e.outcome}]` : '';
        return `${clock(e.time)}  ${where.padEnd(30)} ${e.event} ${e.subject}${outcome}${e.detail ? ` — ${e.detail}` : ''}`;
    })
        .join('\n');
}
function cell(text) {
    return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
/** A Markdown table: the same story for a report or a job summary. */
function renderTimelineMarkdown(entries) {
    const rows = entries.map((e) => `| ${e.seq} | ${cell(e.time)} | ${cell(e.job)} | ${cell(e.action)} | ${cell(e.actor)} | ${cell(e.event)} | ${cell(e.subject)} | ${cell(e.outcome)} | ${cell(e.detail)} |`);
    return [
        '| # | time | job | action | actor | event | subject | outcome | details |',
        '|---|---|---|---|---|---|---|---|---|',
        ...rows,
    ].join('\n');
}

;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./build/shared/audit/chain.js

/**
 * The record format of the audit log: one JSON object per line, with the chain attributes as
 * CloudEvents extensions in fixed places so a verifier can check a line from its bytes alone:
 *
 *   {"auditseq":7,"auditprev":"<64 hex>",<event members>,"audithash":"<64 hex>"[,"audithmac":"<64 hex>"]}
 *
 * `audithash` is SHA-256 over the line as it would read without audithash/audithmac, i.e. the
 * bytes up to `,"audithash":"` followed by `}`; `audithmac` is HMAC-SHA256 over that hex string.
 */
const GENESIS_HASH = '0'.repeat(64);
const CHAIN_MEMBERS = new Set(['auditseq', 'auditprev', 'audithash', 'audithmac']);
const SEQ_MARK = Buffer.from('{"auditseq":');
const PREV_MARK = Buffer.from(',"auditprev":"');
const HASH_MARK = Buffer.from(',"audithash":"');
const HMAC_MARK = Buffer.from('","audithmac":"');
const HEX_LENGTH = 64;
const HEX = /^[0-9a-f]{64}$/;
/** `,"audithash":"<hex>"}` */
const PLAIN_TAIL = HASH_MARK.length + HEX_LENGTH + 2;
/** `,"audithash":"<hex>","audithmac":"<hex>"}` */
const HMAC_TAIL = HASH_MARK.length + HEX_LENGTH + HMAC_MARK.length + HEX_LENGTH + 2;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const COMMA = 0x2c;
/**
 * HMAC-SHA256 of a record's audithash. The message is always 64 bytes, so both rounds run as
 * one-shot hashes over preallocated `key ⊕ pad ‖ message` buffers: about twice as fast as
 * createHmac per record, which matters when verifying millions of them.
 */
class RecordHmac {
    key;
    innerBlock = Buffer.alloc(64 + HEX_LENGTH);
    outerBlock = Buffer.alloc(64 + 32);
    constructor(key) {
        this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
        if (this.key.length === 0)
            throw new Error('the audit HMAC key is empty');
        const block = Buffer.alloc(64);
        (this.key.length > 64 ? (0,external_node_crypto_namespaceObject.createHash)('sha256').update(this.key).digest() : this.key).copy(block);
        for (let i = 0; i < 64; i++) {
            this.innerBlock[i] = block[i] ^ 0x36;
            this.outerBlock[i] = block[i] ^ 0x5c;
        }
    }
    sign(hashHex) {
        if (Buffer.byteLength(hashHex) !== HEX_LENGTH) {
            return (0,external_node_crypto_namespaceObject.createHmac)('sha256', this.key).update(hashHex).digest('hex');
        }
        this.innerBlock.write(hashHex, 64, 'utf8');
        (0,external_node_crypto_namespaceObject.hash)('sha256', this.innerBlock, 'buffer').copy(this.outerBlock, 64);
        return (0,external_node_crypto_namespaceObject.hash)('sha256', this.outerBlock, 'hex');
    }
}
/** Serialises `event` as record `seq` linked to `prev`. Chain members inside `event` are dropped. */
function encodeRecord(event, seq, prev, hmac) {
    const members = { auditseq: seq, auditprev: prev };
    for (const [key, value] of Object.entries(event))
        if (!CHAIN_MEMBERS.has(key))
            members[key] = value;
    const body = JSON.stringify(members);
    const recordHash = hash('sha256', body, 'hex');
    const mac = hmac?.sign(recordHash);
    const tail = mac ? `,"audithash":"${recordHash}","audithmac":"${mac}"}` : `,"audithash":"${recordHash}"}`;
    return { line: body.slice(0, -1) + tail, hash: recordHash, ...(mac ? { hmac: mac } : {}) };
}
/**
 * Reads the chain members of the line `buf[start, end)` (no newline) from their fixed places.
 * Returns a description of the defect instead when the line is not a record.
 */
function parseRecordLine(buf, start, end) {
    if (end - start < SEQ_MARK.length + 1 + PREV_MARK.length + HEX_LENGTH + 2 + PLAIN_TAIL) {
        return end === start ? 'empty line' : 'too short to be an audit record';
    }
    if (!matches(buf, start, SEQ_MARK))
        return 'does not start with {"auditseq":';
    let pos = start + SEQ_MARK.length;
    let seq = 0;
    const digitsStart = pos;
    while (pos < end && buf[pos] >= 0x30 && buf[pos] <= 0x39 && pos - digitsStart < 16) {
        seq = seq * 10 + (buf[pos] - 0x30);
        pos++;
    }
    if (pos === digitsStart ||
        (buf[digitsStart] === 0x30 && pos - digitsStart > 1) ||
        seq > Number.MAX_SAFE_INTEGER) {
        return 'auditseq is not a non-negative integer';
    }
    if (!matches(buf, pos, PREV_MARK))
        return 'auditprev does not follow auditseq';
    pos += PREV_MARK.length;
    const prev = buf.toString('latin1', pos, pos + HEX_LENGTH);
    pos += HEX_LENGTH;
    if (buf[pos] !== QUOTE || buf[pos + 1] !== COMMA)
        return 'auditprev is not followed by the event';
    if (buf[end - 1] !== CLOSE_BRACE || buf[end - 2] !== QUOTE)
        return 'does not end with the audithash member';
    let bodyEnd = end - HMAC_TAIL;
    let hmac;
    if (bodyEnd > pos &&
        matches(buf, bodyEnd, HASH_MARK) &&
        matches(buf, end - 2 - HEX_LENGTH - HMAC_MARK.length, HMAC_MARK)) {
        hmac = buf.toString('latin1', end - 2 - HEX_LENGTH, end - 2);
    }
    else {
        bodyEnd = end - PLAIN_TAIL;
        if (bodyEnd < pos || !matches(buf, bodyEnd, HASH_MARK))
            return 'does not end with the audithash member';
    }
    const hashStart = bodyEnd + HASH_MARK.length;
    const stated = buf.toString('latin1', hashStart, hashStart + HEX_LENGTH);
    return { seq, prev, hash: stated, hmac, bodyEnd };
}
/** Why a parsed record is malformed, if it is: a chain member that is not 64 lowercase hex digits. */
function recordDefect(record) {
    if (!HEX.test(record.prev))
        return 'auditprev is not 64 lowercase hex digits';
    if (!HEX.test(record.hash))
        return 'audithash is not 64 lowercase hex digits';
    if (record.hmac !== undefined && !HEX.test(record.hmac))
        return 'audithmac is not 64 lowercase hex digits';
    return undefined;
}
/**
 * SHA-256 of the line's body: the bytes before `,"audithash"` closed with `}`. The comma is
 * swapped for the brace in place and put back, which spares a copy of every line.
 */
function bodyHash(buf, start, bodyEnd) {
    buf[bodyEnd] = CLOSE_BRACE;
    try {
        return (0,external_node_crypto_namespaceObject.hash)('sha256', buf.subarray(start, bodyEnd + 1), 'hex');
    }
    finally {
        buf[bodyEnd] = COMMA;
    }
}
function matches(buf, pos, mark) {
    if (pos < 0 || pos + mark.length > buf.length)
        return false;
    for (let i = 0; i < mark.length; i++)
        if (buf[pos + i] !== mark[i])
            return false;
    return true;
}

;// CONCATENATED MODULE: ./build/shared/audit/verify.js


const DEFAULT_LOOKAHEAD = 1000;
const READ_SIZE = 1024 * 1024;
const MAX_LINE = 64 * 1024 * 1024;
const NEWLINE = 0x0a;
/** Checks records one line at a time; feed it with `line` and then call `finish`. */
class ChainVerifier {
    options;
    hmac;
    lookahead;
    count = 0;
    prevHash = GENESIS_HASH;
    prevPrevHash;
    prevLine = 0;
    lastLine = 0;
    problem;
    suspect;
    expectedHashAt;
    extraAt;
    constructor(options = {}) {
        this.options = options;
        this.hmac = options.hmacKey === undefined ? undefined : new RecordHmac(options.hmacKey);
        this.lookahead = Math.max(1, options.lookahead ?? DEFAULT_LOOKAHEAD);
    }
    /** Checks the line `buf[start, end)`. Returns false once the verdict is known. */
    line(buf, start, end, lineNumber) {
        if (this.problem)
            return false;
        this.lastLine = lineNumber;
        const parsed = parseRecordLine(buf, start, end);
        if (this.suspect) {
            this.suspect.window.push(typeof parsed === 'string' ? undefined : seen(parsed, buf, start, lineNumber));
            if (this.suspect.window.length >= this.lookahead)
                this.explainBreak();
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
        if (defect)
            return this.fail({ kind: 'malformed', ...at, message: defect });
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
    incompleteLine(lineNumber) {
        if (this.problem)
            return;
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
    lineTooLong(lineNumber) {
        if (!this.problem && !this.suspect) {
            this.fail({
                kind: 'malformed',
                line: lineNumber,
                message: `the line is longer than ${MAX_LINE} bytes`,
            });
        }
    }
    finish() {
        if (this.suspect)
            this.explainBreak();
        if (!this.problem)
            this.checkEnd();
        const result = {
            ok: !this.problem,
            records: this.count,
            lastHash: this.prevHash,
            hmacChecked: this.hmac !== undefined,
        };
        if (this.count > 0)
            result.lastSeq = this.count - 1;
        if (this.problem)
            result.problem = this.problem;
        return result;
    }
    accept(record) {
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
    explainBreak() {
        const { record, window } = this.suspect;
        this.suspect = undefined;
        const expected = this.count;
        const next = window[0];
        const nextContinues = next !== undefined && next.seq === expected && next.prev === this.prevHash;
        const at = { line: record.line, seq: record.seq };
        if (this.count > 0 && record.hash === this.prevHash) {
            this.fail({ kind: 'inserted', ...at, message: `the record repeats line ${this.prevLine}` });
        }
        else if (this.count > 0 && record.prev === this.prevPrevHash) {
            this.fail({
                kind: 'inserted',
                line: this.prevLine,
                seq: expected - 1,
                message: `the record is not part of the chain: line ${record.line} (seq ${record.seq}) links to the record before it`,
            });
        }
        else if (nextContinues && !window.some((entry) => entry?.prev === record.hash)) {
            this.fail({
                kind: 'inserted',
                ...at,
                message: `the record is not part of the chain: line ${next.line} continues from line ${this.prevLine || 'none'}`,
            });
        }
        else if (record.seq < expected) {
            this.fail({
                kind: 'inserted',
                ...at,
                message: `seq ${record.seq} was already used (expected seq ${expected}): a copied or forged record`,
            });
        }
        else if (record.seq > expected) {
            const later = window.find((entry) => entry?.seq === expected);
            if (record.prev === this.prevHash) {
                this.fail({
                    kind: 'edited',
                    ...at,
                    message: `auditseq jumps from ${expected - 1} to ${record.seq} while auditprev links to the previous record: auditseq was changed`,
                });
            }
            else if (later) {
                this.fail({
                    kind: 'reordered',
                    ...at,
                    message: `seq ${record.seq} comes before seq ${expected}, which appears later at line ${later.line}`,
                });
            }
            else {
                const missing = record.seq - expected;
                this.fail({
                    kind: 'deleted',
                    ...at,
                    missing,
                    message: expected === 0
                        ? `the first ${plural(missing, 'record is', 'records are')} missing: the log starts at seq ${record.seq}`
                        : `${plural(missing, 'record is', 'records are')} missing before this line: seq jumps from ${expected - 1} to ${record.seq}`,
                });
            }
        }
        else if (this.count === 0) {
            this.fail({
                kind: 'edited',
                ...at,
                message: 'the first record does not start the chain: auditprev is not 64 zeros',
            });
        }
        else {
            this.fail({
                kind: 'edited',
                line: this.prevLine,
                seq: expected - 1,
                message: `the record was changed and re-hashed: line ${record.line} (seq ${record.seq}) records a different audithash for it`,
            });
        }
    }
    checkEnd() {
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
        }
        else if (expectCount !== undefined && this.count > expectCount) {
            this.fail({
                kind: 'inserted',
                line: this.extraAt ?? endLine,
                seq: expectCount,
                message: `${plural(this.count - expectCount, 'record follows', 'records follow')} the expected end of ${expectCount} records`,
            });
        }
        else if (expectLastHash !== undefined && this.prevHash !== expectLastHash) {
            if (this.expectedHashAt !== undefined) {
                this.fail({
                    kind: 'inserted',
                    line: this.expectedHashAt + 1,
                    message: `records follow the expected last record (line ${this.expectedHashAt})`,
                });
            }
            else {
                this.fail({
                    kind: 'truncated',
                    line: endLine,
                    message: `the log does not contain the expected last record ${expectLastHash.slice(0, 12)}…: its end was removed or replaced`,
                });
            }
        }
    }
    fail(problem) {
        this.problem = problem;
        return false;
    }
}
function seen(parsed, buf, start, line) {
    return { line, seq: parsed.seq, prev: parsed.prev, hash: bodyHash(buf, start, parsed.bodyEnd) };
}
function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
}
/** Verifies an audit log file by streaming it. */
async function verifyAuditFile(path, options = {}) {
    const verifier = new ChainVerifier(options);
    const handle = await (0,promises_namespaceObject.open)(path, 'r');
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
            if (bytesRead === 0)
                break;
            const scanFrom = filled;
            filled += bytesRead;
            const view = buf.subarray(0, filled);
            let start = 0;
            let newline = view.indexOf(NEWLINE, scanFrom);
            while (newline !== -1) {
                lineNumber += 1;
                if (!verifier.line(view, start, newline, lineNumber))
                    return verifier.finish();
                start = newline + 1;
                newline = view.indexOf(NEWLINE, start);
            }
            buf.copy(buf, 0, start, filled);
            filled -= start;
        }
        if (filled > 0)
            verifier.incompleteLine(lineNumber + 1);
        return verifier.finish();
    }
    finally {
        await handle.close();
    }
}

;// CONCATENATED MODULE: ./build/shared/audit/verify-command.js




const USAGE = `Usage: deploy-audit-verify <file> [--hmac-key-env NAME] [--expect-last-hash HEX] [--expect-count N] [--json] [--timeline | --markdown]

Verifies the hash chain of a deployment audit log (JSONL).
  --hmac-key-env NAME      read the HMAC key from environment variable NAME; every record must carry a valid HMAC
  --expect-last-hash HEX   the audithash the last record must have (detects a cut or extended end)
  --expect-count N         the number of records the log must hold
  --json                   print the result as JSON
  --timeline               after the result, print what the log records, one line per event
  --markdown               after the result, print that timeline as a Markdown table

Exit status: 0 the chain is intact, 1 it was tampered with, 2 usage or read error.`;
const EXIT_OK = 0;
const EXIT_TAMPERED = 1;
const EXIT_USAGE = 2;
class UsageError extends Error {
}
/** Runs `deploy-audit-verify` with `argv` (without node and script); resolves to the exit status. */
async function runVerifyCommand(argv, io = {}) {
    const env = io.env ?? process.env;
    const stdout = io.stdout ?? ((text) => process.stdout.write(text));
    const stderr = io.stderr ?? ((text) => process.stderr.write(text));
    let file;
    let options;
    let json;
    let story;
    try {
        ({ file, options, json, story } = parseCommandLine(argv, env));
    }
    catch (error) {
        if (error instanceof UsageError && error.message === 'help') {
            stdout(`${USAGE}\n`);
            return EXIT_OK;
        }
        stderr(`deploy-audit-verify: ${errorMessage(error)}\n\n${USAGE}\n`);
        return EXIT_USAGE;
    }
    let result;
    try {
        result = await verifyAuditFile(file, options);
    }
    catch (error) {
        stderr(`deploy-audit-verify: cannot read ${file}: ${errorMessage(error)}\n`);
        return EXIT_USAGE;
    }
    stdout(json ? `${JSON.stringify({ file, ...result })}\n` : `${describe(file, result)}\n`);
    if (story !== 'none') {
        // Printed for a tampered log too: the reader needs to see what the damaged log claims.
        const entries = await readTimeline(file);
        stdout(`${story === 'markdown' ? renderTimelineMarkdown(entries) : renderTimelineText(entries)}\n`);
    }
    return result.ok ? EXIT_OK : EXIT_TAMPERED;
}
function parseCommandLine(argv, env) {
    let parsed;
    try {
        parsed = parseOptions(argv);
    }
    catch (error) {
        throw new UsageError(errorMessage(error));
    }
    const { values, positionals } = parsed;
    if (values.help)
        throw new UsageError('help');
    if (positionals.length !== 1)
        throw new UsageError('expected exactly one audit log file');
    const options = {};
    const keyEnv = values['hmac-key-env'];
    if (keyEnv !== undefined) {
        const key = env[keyEnv];
        if (!key)
            throw new UsageError(`--hmac-key-env: environment variable ${keyEnv} is not set or empty`);
        options.hmacKey = key;
    }
    const lastHash = values['expect-last-hash'];
    if (lastHash !== undefined) {
        if (!/^[0-9a-fA-F]{64}$/.test(lastHash))
            throw new UsageError('--expect-last-hash: expected 64 hex digits');
        options.expectLastHash = lastHash.toLowerCase();
    }
    const count = values['expect-count'];
    if (count !== undefined) {
        if (!/^\d+$/.test(count))
            throw new UsageError('--expect-count: expected a non-negative integer');
        options.expectCount = Number(count);
    }
    if (values.timeline && values.markdown)
        throw new UsageError('--timeline and --markdown: choose one');
    if ((values.timeline || values.markdown) && values.json)
        throw new UsageError('--json prints only the result; leave out --timeline/--markdown');
    const story = values.timeline ? 'text' : values.markdown ? 'markdown' : 'none';
    return { file: positionals[0], options, json: values.json ?? false, story };
}
function parseOptions(argv) {
    return (0,external_node_util_namespaceObject.parseArgs)({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
            'hmac-key-env': { type: 'string' },
            'expect-last-hash': { type: 'string' },
            'expect-count': { type: 'string' },
            json: { type: 'boolean' },
            timeline: { type: 'boolean' },
            markdown: { type: 'boolean' },
            help: { type: 'boolean', short: 'h' },
        },
    });
}
function describe(file, result) {
    if (result.ok) {
        const hmac = result.hmacChecked ? ', HMAC checked' : '';
        return `OK ${file}: ${result.records} record${result.records === 1 ? '' : 's'} verified${hmac}; last hash ${result.lastHash}`;
    }
    const problem = result.problem;
    const seq = problem.seq === undefined ? '' : ` (seq ${problem.seq})`;
    return `TAMPERED ${file}: line ${problem.line}${seq}: ${problem.kind}: ${problem.message}`;
}


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(184);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
