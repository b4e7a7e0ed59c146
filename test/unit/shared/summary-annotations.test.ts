import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Annotation, emitAnnotations, selectAnnotations } from '../../../shared/annotations.js';
import { registerSecret, resetSecretsForTest } from '../../../shared/secrets.js';
import { cell, StepSummary, SUMMARY_LIMIT_BYTES, table } from '../../../shared/summary.js';

afterEach(() => resetSecretsForTest());

describe('step summary', () => {
  it('escapes table cells', () => {
    expect(cell('a|b\nc')).toBe('a\\|b<br>c');
    expect(table(['k', 'v'], [['x', 1]])).toBe('| k | v |\n| --- | --- |\n| x | 1 |\n');
    expect(table(['k'], [['a'], ['b'], ['c']], 2)).toContain('1 more rows not shown');
  });

  it('stays under 1 MiB, keeping sections whole and saying what was left out', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'summary-')), 'summary.md');
    writeFileSync(file, 'x'.repeat(100_000));
    const summary = new StepSummary();
    for (let i = 0; i < 30; i++) summary.add(`## section ${i}\n${'y'.repeat(50_000)}`);
    summary.write(file);
    const text = readFileSync(file, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(text).toMatch(/_1\d more sections left out: a step summary is limited to 1 MiB\._/);
    expect(text).not.toMatch(/## section 29/);
  });

  it('redacts known secrets', () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    registerSecret('hunter2-secret');
    const out = new StepSummary().paragraph('password is hunter2-secret').render();
    expect(out).toBe('password is ***\n\n');
    vi.restoreAllMocks();
  });
});

describe('annotations', () => {
  const make = (level: Annotation['level'], rank: number, n = 0): Annotation => ({
    level,
    rank,
    message: `${level}-${rank}-${n}`,
  });

  it('keeps the worst ten per level in rank order', () => {
    const list = [
      ...Array.from({ length: 15 }, (_, i) => make('error', i)),
      make('warning', 1),
      make('warning', 5),
      make('notice', 0),
    ];
    const { selected, omitted } = selectAnnotations(list);
    const errors = selected.filter((a) => a.level === 'error').map((a) => a.rank);
    expect(errors).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5]);
    expect(selected.filter((a) => a.level === 'warning').map((a) => a.rank)).toEqual([5, 1]);
    expect(omitted).toEqual({ error: 5, warning: 0, notice: 0 });
  });

  it('emits workflow commands and says how many were left out', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const result = emitAnnotations([
      ...Array.from({ length: 12 }, (_, i) => ({ ...make('error', i), file: 'src/x.ts', startLine: i + 1 })),
    ]);
    vi.restoreAllMocks();
    expect(result.shown.error).toBe(10);
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(10);
    expect(lines[0]).toBe('::error file=src/x.ts,line=12::error-11-0\n');
    expect(lines.join('')).toContain('2 more error annotation(s) not shown');
  });
});
