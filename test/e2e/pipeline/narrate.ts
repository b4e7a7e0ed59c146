import type { JobRecord } from './pipeline.js';

/**
 * One or two readable lines per finished job: what it decided and why, in the words of the
 * actions' own outputs. For the demo's live timeline and its report.
 */
export function narrateJob(job: JobRecord): string[] {
  const head = `${job.name.padEnd(18)} ${job.result.toUpperCase().padEnd(9)} ${(job.durationMs / 1000).toFixed(1).padStart(5)} s`;
  return describeSteps(job).map((line, i) => `${i === 0 ? head : ' '.repeat(head.length)}  ${line}`);
}

/** What the job's steps did, one line each (why it was skipped, for a skipped job). */
export function describeSteps(job: JobRecord): string[] {
  if (job.result === 'skipped') return [`(${job.note ?? 'condition not met'})`];
  const lines: string[] = [];
  for (const { action, label, run } of job.steps) {
    const o = run.outputs;
    const error = run.annotations.find((a) => a.level === 'error')?.message;
    let what: string;
    switch (action) {
      case 'migrate-db':
        what =
          run.exitCode !== 0
            ? `migration failed: ${error ?? 'see the log'}`
            : o.applied === '0'
              ? `schema at version ${o['current-version']}, nothing to apply`
              : `schema ${o['previous-version'] || 'empty'} → version ${o['current-version']}, ${o.applied} applied`;
        break;
      case 'deploy-strategy':
        what = !o.phase
          ? `failed: ${error ?? 'see the log'}`
          : o.phase === 'canary'
            ? `canary ${short(o.image)} takes ${o['canary-weight']} % of the traffic`
            : `${o.strategy} ${o.phase}, ${short(o.image)} serves all traffic`;
        break;
      case 'canary-analyze':
        what = run.cancelled
          ? 'cancelled while watching'
          : `${o.decision ?? 'no decision'} (score ${o.score ?? '?'}) — ${truncate(o.reason ?? error ?? '', 160)}`;
        break;
      case 'rollback':
        what =
          o['rolled-back'] === 'true'
            ? `rolled back to ${short(o.image)} (${o.reason})`
            : `nothing rolled back: ${o.reason ?? error ?? ''}`;
        break;
      case 'notify': {
        const results = safeJson<{ target: string; ok: boolean; detail?: { event_action?: string } }[]>(
          o.results,
          [],
        );
        what = results
          .map(
            (r) =>
              `${r.target}${r.detail?.event_action ? ` ${r.detail.event_action}` : ''} ${r.ok ? 'delivered' : 'FAILED'}`,
          )
          .join(', ');
        break;
      }
      default:
        what = `exit ${run.exitCode}`;
    }
    lines.push(`${label}: ${what}`);
  }
  return lines;
}

function short(image: string | undefined): string {
  if (!image) return '?';
  const [name, digest] = image.split('@');
  return digest ? `${name?.split('/').pop()}@${digest.slice(0, 19)}…` : image;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function safeJson<T>(text: string | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}
