import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The story an audit log tells, one line per record: when, which job and action, who, what
 * happened to what, and the outcome. For people reading a log (an auditor, an on-call
 * engineer); the verifier says whether they can trust it.
 */
export interface TimelineEntry {
  seq: number;
  time: string;
  job?: string;
  action?: string;
  actor?: string;
  environment?: string;
  /** Short event name, e.g. `taskrun.started`, `traffic.shifted`, `service.rolledback`. */
  event: string;
  subject: string;
  outcome?: string;
  /** One readable sentence of the event's details. */
  detail: string;
}

interface Facts {
  action?: { name?: string };
  outcome?: string;
  actor?: string;
  approvers?: string[];
  job?: string;
  environment?: string;
  namespace?: string;
  reason?: string;
  version?: string;
  image?: string;
  details?: Record<string, unknown>;
}

/** `dev.cdevents.service.rolledback.0.3.0` → `service.rolledback`; project events likewise. */
export function shortEventName(type: string): string {
  const cdevent = /^dev\.cdevents\.([a-z]+)\.([a-z]+)\.\d/.exec(type);
  if (cdevent) return `${cdevent[1]}.${cdevent[2]}`;
  const project = /^dev\.deploy-actions\.([a-z-]+)\.([a-z-]+)\.v\d+$/.exec(type);
  if (project) return `${project[1]}.${project[2]}`;
  return type;
}

function factsOf(data: Record<string, unknown>): Facts {
  // CDEvents carry the suite's facts in customData; project events are the facts themselves.
  return ((data.customData as Facts | undefined) ?? (data as Facts)) || {};
}

function subjectOf(record: Record<string, unknown>, facts: Facts): string {
  const data = record.data as { subject?: { content?: Record<string, unknown> } } | undefined;
  const content = data?.subject?.content;
  if (typeof content?.taskName === 'string') return content.taskName;
  if (typeof record.subject === 'string' && !record.subject.includes('/actions/runs/')) return record.subject;
  return facts.action?.name ?? String(record.subject ?? '');
}

function scalar(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value.length ? value.map((v) => scalar(v) ?? '').join(', ') : undefined;
  if (typeof value === 'object') return undefined;
  return String(value);
}

const SHOWN_DETAILS = 6;

function detailOf(event: string, facts: Facts): string {
  const d = facts.details ?? {};
  const parts: string[] = [];
  if (event === 'traffic.shifted' && d.to !== undefined) {
    parts.push(
      `canary weight ${scalar(d.from) ?? '?'}% → ${scalar(d.to)}%${d.via ? ` via ${scalar(d.via)}` : ''}`,
    );
  } else if (event === 'canary-analysis.decided' && d.decision) {
    parts.push(`decision ${scalar(d.decision)}`);
  }
  if (facts.version) parts.push(`version ${facts.version}`);
  if (facts.image && !parts.some((p) => p.includes(facts.image!))) parts.push(`image ${facts.image}`);
  if (facts.approvers?.length) parts.push(`approved by ${facts.approvers.join(', ')}`);
  if (facts.reason) parts.push(`reason: ${facts.reason}`);
  const shown = new Set(['from', 'to', 'via', 'decision', 'facts', 'headline']);
  if (typeof d.headline === 'string') parts.unshift(d.headline);
  let count = 0;
  for (const [key, value] of Object.entries(d)) {
    if (shown.has(key) || count >= SHOWN_DETAILS) continue;
    const text = scalar(value);
    if (text === undefined) continue;
    parts.push(`${key} ${text.length > 120 ? `${text.slice(0, 117)}…` : text}`);
    count += 1;
  }
  return parts.join('; ');
}

/** One record of the log (a hash-chained CloudEvent) as a timeline entry. */
export function timelineEntry(record: Record<string, unknown>, index: number): TimelineEntry {
  const facts = factsOf((record.data as Record<string, unknown> | undefined) ?? {});
  const event = shortEventName(String(record.type ?? 'unknown'));
  const entry: TimelineEntry = {
    seq: typeof record.auditseq === 'number' ? record.auditseq : index,
    time: String(record.time ?? ''),
    event,
    subject: subjectOf(record, facts),
    detail: detailOf(event, facts),
  };
  if (facts.job) entry.job = facts.job;
  if (facts.action?.name) entry.action = facts.action.name;
  if (facts.actor) entry.actor = facts.actor;
  if (facts.environment) entry.environment = facts.environment;
  if (facts.outcome) entry.outcome = facts.outcome;
  return entry;
}

/** Reads a JSONL audit log into timeline entries, oldest first; unreadable lines are skipped. */
export async function readTimeline(path: string): Promise<TimelineEntry[]> {
  const entries: TimelineEntry[] = [];
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let index = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      entries.push(timelineEntry(JSON.parse(line) as Record<string, unknown>, index));
    } catch {
      // The verifier reports malformed lines; the story goes on without them.
    }
    index += 1;
  }
  return entries;
}

function clock(time: string): string {
  return /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(time)?.[1] ?? time;
}

/** Plain text, one line per entry, for a terminal or a log. */
export function renderTimelineText(entries: readonly TimelineEntry[]): string {
  return entries
    .map((e) => {
      const where = [e.job, e.action].filter(Boolean).join('/');
      const outcome = e.outcome && e.outcome !== 'started' ? ` [${e.outcome}]` : '';
      return `${clock(e.time)}  ${where.padEnd(30)} ${e.event} ${e.subject}${outcome}${e.detail ? ` — ${e.detail}` : ''}`;
    })
    .join('\n');
}

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown table: the same story for a report or a job summary. */
export function renderTimelineMarkdown(entries: readonly TimelineEntry[]): string {
  const rows = entries.map(
    (e) =>
      `| ${e.seq} | ${cell(e.time)} | ${cell(e.job)} | ${cell(e.action)} | ${cell(e.actor)} | ${cell(e.event)} | ${cell(e.subject)} | ${cell(e.outcome)} | ${cell(e.detail)} |`,
  );
  return [
    '| # | time | job | action | actor | event | subject | outcome | details |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
