import { createReadStream } from 'node:fs';
import type { CoverageFigures, CoverageReport, Ratio } from '../model.js';
import { ReportError } from '../report-error.js';

/** Record counts a parse saw, for checks and tests. */
export interface LcovStats {
  sections: number;
  records: Record<string, number>;
}

interface Section {
  file: string;
  lf?: number;
  lh?: number;
  fnf?: number;
  fnh?: number;
  brf?: number;
  brh?: number;
  /** Counted from detail records, for producers that leave out the LF/LH-style totals. */
  da: number;
  daHit: number;
  functions: Map<string, number>;
  brda: number;
  brdaHit: number;
}

const KNOWN = new Set([
  'TN',
  'SF',
  'VER',
  'FN',
  'FNDA',
  'FNL',
  'FNA',
  'FNF',
  'FNH',
  'DA',
  'LF',
  'LH',
  'BRDA',
  'BRF',
  'BRH',
]);

function newSection(file: string): Section {
  return { file, da: 0, daHit: 0, functions: new Map(), brda: 0, brdaHit: 0 };
}

function whole(value: string, file: string, lineNo: number, record: string): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n) || n < 0) {
    throw new ReportError(file, `${record} record has ${JSON.stringify(value)} where a count belongs`, {
      line: lineNo,
    });
  }
  return n;
}

/** The totals of one section: the producer's LF/LH… when written, else counted from details. */
function sectionFigures(s: Section): { lines: Ratio; functions: Ratio; branches: Ratio } {
  const fnHit = [...s.functions.values()].filter((n) => n > 0).length;
  return {
    lines: { covered: s.lh ?? s.daHit, total: s.lf ?? s.da },
    functions: { covered: s.fnh ?? fnHit, total: s.fnf ?? s.functions.size },
    branches: { covered: s.brh ?? s.brdaHit, total: s.brf ?? s.brda },
  };
}

function add(into: Ratio, from: Ratio): void {
  into.covered += from.covered;
  into.total += from.total;
}

/**
 * Streams an lcov tracefile line by line, so a report covering 100,000 files is read in bounded
 * memory. Understands the geninfo records including lcov 2's FNL/FNA function records, gcovr's
 * `VER` and checksum fields, and `-` (never evaluated) branch counts.
 */
export async function parseLcov(
  path: string,
  display: string,
  /** keepFiles: per-file figures, needed only to judge changed files. */
  options: { keepFiles?: boolean } = {},
): Promise<CoverageReport & { stats: LcovStats }> {
  const totals = {
    lines: { covered: 0, total: 0 },
    functions: { covered: 0, total: 0 },
    branches: { covered: 0, total: 0 },
  };
  const files = new Map<string, CoverageFigures>();
  const stats: LcovStats = { sections: 0, records: {} };
  let section: Section | undefined;
  let lineNo = 0;

  const close = () => {
    if (!section) return;
    const figures = sectionFigures(section);
    add(totals.lines, figures.lines);
    add(totals.functions, figures.functions);
    add(totals.branches, figures.branches);
    if (options.keepFiles) {
      const previous = files.get(section.file);
      if (previous?.lines && previous.branches) {
        add(previous.lines, figures.lines);
        add(previous.branches, figures.branches);
      } else {
        // A copy, so the key does not pin the whole chunk it was sliced from.
        files.set(Buffer.from(section.file).toString(), { lines: figures.lines, branches: figures.branches });
      }
    }
    stats.sections++;
    section = undefined;
  };

  const handle = (raw: string) => {
    lineNo++;
    const last = raw.charCodeAt(raw.length - 1);
    const line = last === 13 || last === 32 || raw.charCodeAt(0) <= 32 ? raw.trim() : raw;
    if (line === '') return;
    if (line === 'end_of_record') {
      if (!section)
        throw new ReportError(display, 'end_of_record without a preceding SF record', { line: lineNo });
      stats.records.end_of_record = (stats.records.end_of_record ?? 0) + 1;
      close();
      return;
    }
    const colon = line.indexOf(':');
    const record = colon === -1 ? line : line.slice(0, colon);
    if (!KNOWN.has(record)) {
      throw new ReportError(display, `not an lcov record: ${JSON.stringify(line.slice(0, 60))}`, {
        line: lineNo,
      });
    }
    stats.records[record] = (stats.records[record] ?? 0) + 1;
    const value = line.slice(colon + 1);
    if (record === 'TN' || record === 'VER') return;
    if (record === 'SF') {
      // A missing end_of_record closes the section anyway: some producers concatenate loosely.
      close();
      section = newSection(value);
      return;
    }
    if (!section) throw new ReportError(display, `${record} record outside an SF section`, { line: lineNo });
    if (record === 'DA') {
      // The hot path, one per instrumented line: DA:<line>,<hits>[,<checksum>].
      const first = value.indexOf(',');
      const second = value.indexOf(',', first + 1);
      section.da++;
      const hits = value.slice(first + 1, second === -1 ? undefined : second);
      if (whole(first === -1 ? '' : hits, display, lineNo, 'DA') > 0) section.daHit++;
      return;
    }
    const fields = value.split(',');
    switch (record) {
      case 'FN': {
        // FN:<line>[,<end line>],<name>; the name may itself contain commas.
        const name = fields.slice(/^\d+$/.test(fields[1] ?? '') ? 2 : 1).join(',');
        if (!section.functions.has(name)) section.functions.set(name, 0);
        break;
      }
      case 'FNDA': {
        const name = fields.slice(1).join(',');
        section.functions.set(
          name,
          (section.functions.get(name) ?? 0) + whole(fields[0] ?? '', display, lineNo, 'FNDA'),
        );
        break;
      }
      case 'FNL': {
        // FNL:<index>,<line>[,<end line>]: declares function <index>; FNA names it and counts hits.
        const key = `#${fields[0]}`;
        if (!section.functions.has(key)) section.functions.set(key, 0);
        break;
      }
      case 'FNA': {
        // FNA:<index>,<hits>,<name>: aliases of one index share its count, so keep the highest.
        const key = `#${fields[0]}`;
        const hits = whole(fields[1] ?? '', display, lineNo, 'FNA');
        section.functions.set(key, Math.max(section.functions.get(key) ?? 0, hits));
        break;
      }
      case 'BRDA': {
        section.brda++;
        const taken = fields[3] ?? '';
        if (taken !== '-' && whole(taken, display, lineNo, 'BRDA') > 0) section.brdaHit++;
        break;
      }
      case 'LF':
        section.lf = (section.lf ?? 0) + whole(value, display, lineNo, record);
        break;
      case 'LH':
        section.lh = (section.lh ?? 0) + whole(value, display, lineNo, record);
        break;
      case 'FNF':
        section.fnf = (section.fnf ?? 0) + whole(value, display, lineNo, record);
        break;
      case 'FNH':
        section.fnh = (section.fnh ?? 0) + whole(value, display, lineNo, record);
        break;
      case 'BRF':
        section.brf = (section.brf ?? 0) + whole(value, display, lineNo, record);
        break;
      case 'BRH':
        section.brh = (section.brh ?? 0) + whole(value, display, lineNo, record);
        break;
    }
  };

  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    // Lines are split by hand: readline's per-line promise costs seconds on 100,000 sections.
    let rest = '';
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        handle(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    if (rest) handle(rest);
  } catch (error) {
    if (error instanceof ReportError) throw error;
    throw new ReportError(
      display,
      `cannot read the report (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  } finally {
    stream.destroy();
  }
  if (section) {
    throw new ReportError(
      display,
      `the last section (SF:${section.file}) has no end_of_record: the file looks truncated`,
      {
        line: lineNo,
      },
    );
  }
  if (stats.sections === 0) throw new ReportError(display, 'the lcov report has no SF sections');
  return {
    format: 'lcov',
    file: display,
    lines: totals.lines,
    functions: totals.functions,
    branches: totals.branches,
    files,
    stats,
  };
}
