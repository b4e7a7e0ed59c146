import type { RunContext } from '../../shared/run-context.js';

export const STATUSES = [
  'started',
  'success',
  'failure',
  'cancelled',
  'rolled-back',
  'approval-needed',
] as const;
export type DeploymentStatus = (typeof STATUSES)[number];

/**
 * What a notification may say. Chat tools and paging services are outside the HIPAA boundary,
 * so every channel renders only these allow-listed fields; free text enters only through
 * `note` (written by the workflow author) and `commitMessage` (opt-in).
 */
export interface DeploymentMessage {
  status: DeploymentStatus;
  environment: string;
  repository: string;
  service?: string;
  version?: string;
  image?: string;
  digest?: string;
  actor?: string;
  commit?: string;
  commitUrl?: string;
  commitMessage?: string;
  runUrl?: string;
  environmentUrl?: string;
  durationMs?: number;
  reason?: string;
  rollbackStatus?: string;
  note?: string;
  /** When the event happened (ISO 8601). */
  time: string;
}

const PHRASE: Record<DeploymentStatus, string> = {
  started: 'deployment started',
  success: 'deployed',
  failure: 'deployment failed',
  cancelled: 'deployment cancelled',
  'rolled-back': 'rolled back',
  'approval-needed': 'waiting for approval',
};

const EMOJI: Record<DeploymentStatus, string> = {
  started: ':rocket:',
  success: ':white_check_mark:',
  failure: ':x:',
  cancelled: ':no_entry_sign:',
  'rolled-back': ':rewind:',
  'approval-needed': ':hourglass_flowing_sand:',
};

export function statusEmoji(status: DeploymentStatus): string {
  return EMOJI[status];
}

/** One line: "caresync/patient-api 1.4.2 deployed to production". */
export function headline(message: DeploymentMessage): string {
  const what = [message.service ?? message.repository, message.version].filter(Boolean).join(' ');
  const where = message.status === 'success' ? `to ${message.environment}` : `in ${message.environment}`;
  return `${what} ${PHRASE[message.status]} ${where}`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** The facts every channel shows, in order, as label/value pairs (absent ones dropped). */
export function facts(message: DeploymentMessage): [string, string][] {
  const rows: [string, string | undefined][] = [
    ['Environment', message.environment],
    ['Status', message.status],
    ['Version', message.version],
    [
      'Image',
      message.digest && message.image
        ? `${message.image}@${message.digest}`
        : (message.image ?? message.digest),
    ],
    ['Commit', message.commit?.slice(0, 12)],
    ['Actor', message.actor],
    ['Duration', message.durationMs === undefined ? undefined : formatDuration(message.durationMs)],
    ['Reason', message.reason],
    ['Rollback', message.rollbackStatus],
    ['Commit message', message.commitMessage],
    ['Note', message.note],
  ];
  return rows.filter((row): row is [string, string] => Boolean(row[1]));
}

export function buildMessage(options: {
  status: DeploymentStatus;
  environment: string;
  context: RunContext;
  service?: string;
  version?: string;
  image?: string;
  digest?: string;
  environmentUrl?: string;
  startedAt?: Date;
  reason?: string;
  rollbackStatus?: string;
  note?: string;
  commitMessage?: string;
  now?: Date;
}): DeploymentMessage {
  const now = options.now ?? new Date();
  const { context } = options;
  const commitUrl =
    context.serverUrl && context.repository && context.sha
      ? `${context.serverUrl}/${context.repository}/commit/${context.sha}`
      : undefined;
  return dropUndefined({
    status: options.status,
    environment: options.environment,
    repository: context.repository ?? 'unknown repository',
    service: options.service,
    version: options.version,
    image: options.image,
    digest: options.digest,
    actor: context.triggeringActor ?? context.actor,
    commit: context.sha,
    commitUrl,
    commitMessage: options.commitMessage,
    runUrl: context.runUrl,
    environmentUrl: options.environmentUrl,
    durationMs: options.startedAt ? Math.max(0, now.getTime() - options.startedAt.getTime()) : undefined,
    reason: options.reason,
    rollbackStatus: options.rollbackStatus,
    note: options.note,
    time: now.toISOString(),
  });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Cuts text to `max` characters, saying that it did. */
export function truncate(text: string, max: number, marker = '… (truncated)'): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - marker.length))}${marker}`;
}
