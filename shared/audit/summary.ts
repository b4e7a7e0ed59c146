import { redactString } from '../secrets.js';
import { table } from '../summary.js';
import type { AuditRecord } from './audit-log.js';
import type { AuditEvent } from './event.js';

/** One table row per event; the events themselves are not kept. */
interface SummaryRow {
  time: string;
  type: string;
  subject: string;
  outcome: string;
  seq: number;
  hash: string;
}

const CDEVENTS_TYPE = /^dev\.cdevents\.([a-z]+\.[a-z]+)\.\d+\.\d+\.\d+$/;
const PROJECT_TYPE = /^dev\.deploy-actions\.([a-z0-9-]+\.[a-z0-9-]+)\.v\d+$/;

/**
 * Collects the events this step emitted and renders them for the step summary. It returns
 * Markdown; writing the summary file is the caller's business.
 */
export class AuditSummary {
  private readonly rows: SummaryRow[] = [];
  private lastHash: string | undefined;

  constructor(private readonly file?: string) {}

  add(record: AuditRecord<AuditEvent>): void {
    this.rows.push({
      time: record.event.time,
      type: shortType(record.event.type),
      subject: record.event.subject ?? '',
      outcome: eventOutcome(record.event) ?? '',
      seq: record.seq,
      hash: record.hash,
    });
    this.lastHash = record.hash;
  }

  get size(): number {
    return this.rows.length;
  }

  /** A heading, the table, and the last hash so a reader can anchor a later verification. */
  markdown(): string {
    if (this.rows.length === 0) return '';
    const rows = this.rows.map((row) => [
      row.time,
      `\`${row.type}\``,
      row.subject,
      row.outcome,
      row.seq,
      `\`${row.hash.slice(0, 12)}\``,
    ]);
    const where = this.file ? ` in \`${this.file}\`` : '';
    const anchor = `Last record: seq ${this.rows.at(-1)!.seq}, audithash \`${this.lastHash}\`${where}.\n`;
    return redactString(
      `### Audit events\n\n${table(['Time', 'Type', 'Subject', 'Outcome', 'Seq', 'Hash'], rows)}\n${anchor}`,
    );
  }
}

/** `service.deployed` for `dev.cdevents.service.deployed.0.3.0`; unknown types are kept whole. */
export function shortType(type: string): string {
  return CDEVENTS_TYPE.exec(type)?.[1] ?? PROJECT_TYPE.exec(type)?.[1] ?? type;
}

/** The audit outcome of an event: CDEvents keep it in customData, project events in data. */
export function eventOutcome(event: AuditEvent): string | undefined {
  const data = event.data;
  const custom = data.customData;
  const fromCustom =
    custom && typeof custom === 'object' ? (custom as Record<string, unknown>).outcome : undefined;
  const outcome = fromCustom ?? data.outcome;
  return typeof outcome === 'string' ? outcome : undefined;
}
