import { appendFileSync, statSync } from 'node:fs';
import { redactString } from './secrets.js';

/** GitHub rejects a step summary over 1 MiB; we stop short of it and say what was left out. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
const RESERVE_BYTES = 512;

/** Escapes a value for one Markdown table cell (pipes and line breaks would break the row). */
export function cell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function table(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
  maxRows = 500,
): string {
  const lines = [`| ${headers.map(cell).join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`];
  for (const row of rows.slice(0, maxRows)) lines.push(`| ${row.map(cell).join(' | ')} |`);
  if (rows.length > maxRows) lines.push(`\n_${rows.length - maxRows} more rows not shown._`);
  return `${lines.join('\n')}\n`;
}

export function details(summaryText: string, body: string): string {
  return `<details><summary>${cell(summaryText)}</summary>\n\n${body}\n</details>\n`;
}

/**
 * Collects Markdown sections and writes them to GITHUB_STEP_SUMMARY in one append. Sections are
 * kept whole: when the budget runs out, the rest are dropped and a closing line says how many,
 * so a reader never sees half a table. Known secrets are redacted on the way out.
 */
export class StepSummary {
  private readonly sections: string[] = [];

  add(markdown: string): this {
    this.sections.push(markdown.endsWith('\n') ? markdown : `${markdown}\n`);
    return this;
  }

  heading(text: string, level = 2): this {
    return this.add(`${'#'.repeat(level)} ${text}\n`);
  }

  paragraph(text: string): this {
    return this.add(`${text}\n`);
  }

  table(headers: readonly string[], rows: readonly (readonly unknown[])[], maxRows?: number): this {
    return this.add(table(headers, rows, maxRows));
  }

  /** The Markdown that `write` would append, given `usedBytes` already in the file. */
  render(usedBytes = 0): string {
    const budget = SUMMARY_LIMIT_BYTES - RESERVE_BYTES - usedBytes;
    let out = '';
    let size = 0;
    for (let i = 0; i < this.sections.length; i++) {
      const section = `${redactString(this.sections[i]!)}\n`;
      const bytes = Buffer.byteLength(section);
      if (size + bytes > budget) {
        const left = this.sections.length - i;
        out += `\n_${left} more section${left === 1 ? '' : 's'} left out: a step summary is limited to 1 MiB._\n`;
        break;
      }
      out += section;
      size += bytes;
    }
    return out;
  }

  /** Appends to the runner's summary file; a no-op outside a runner. Returns what was written. */
  write(path: string | undefined = process.env.GITHUB_STEP_SUMMARY): string {
    if (!path) return '';
    let used = 0;
    try {
      used = statSync(path).size;
    } catch {
      // The runner creates the file; a missing one simply starts empty.
    }
    const text = this.render(used);
    appendFileSync(path, text);
    return text;
  }
}
