import { details, StepSummary, table } from '../../shared/summary.js';
import { type DeploymentMessage, headline, statusEmoji } from './message.js';
import type { TargetResult } from './targets/result.js';

/** The `results` output: everything but rendered payloads, which belong in the summary only. */
export function resultsOutput(results: readonly TargetResult[]): string {
  return JSON.stringify(
    results.map(({ detail, ...rest }) => {
      if (!detail) return rest;
      const { payload: _payload, ...kept } = detail;
      return Object.keys(kept).length ? { ...rest, detail: kept } : rest;
    }),
  );
}

function describe(result: TargetResult): string {
  if (result.skipped) return result.detail?.why ? `skipped: ${result.detail.why}` : 'dry run: not sent';
  return result.ok ? 'sent' : 'FAILED';
}

export function notifySummary(options: {
  message: DeploymentMessage;
  results: readonly TargetResult[];
  dryRun: boolean;
  configMarkdown: string;
  auditMarkdown: string;
}): StepSummary {
  const { message, results } = options;
  const summary = new StepSummary();
  summary.heading(`${options.dryRun ? 'Notify (dry run)' : 'Notify'}: ${headline(message)}`);
  summary.add(
    table(
      ['Target', 'Result', 'HTTP', 'Attempts', 'Details'],
      results.map((r) => [
        r.target,
        `${r.ok ? '✅' : '❌'} ${describe(r)}`,
        r.httpStatus ?? '',
        r.attempts,
        [
          r.error,
          r.truncated?.length ? `shortened to fit: ${r.truncated.join(', ')}` : undefined,
          ...Object.entries(r.detail ?? {})
            .filter(([key]) => key !== 'payload' && key !== 'why')
            .map(([key, value]) => `${key}: ${value}`),
        ]
          .filter(Boolean)
          .join('; '),
      ]),
    ),
  );
  summary.paragraph(
    `Status announced: ${statusEmoji(message.status).replace(/:/g, '')} \`${message.status}\``,
  );
  if (options.dryRun) {
    for (const result of results) {
      const payload = result.detail?.payload;
      if (payload) {
        summary.add(
          details(
            `${result.target} payload`,
            `\`\`\`json\n${JSON.stringify(JSON.parse(payload), null, 2)}\n\`\`\``,
          ),
        );
      }
    }
  }
  summary.add(details('Effective configuration', options.configMarkdown));
  summary.add(options.auditMarkdown);
  return summary;
}
