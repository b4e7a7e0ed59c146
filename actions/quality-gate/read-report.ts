import { open, readFile } from 'node:fs/promises';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ReportError } from './report-error.js';

/** Reads a report as text; a missing or unreadable file is a ReportError naming it. */
export async function readReportText(path: string, display: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ReportError(
      display,
      `cannot read the report (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
}

/** The first bytes of a file, to tell its format without reading a large file whole. */
export async function readHead(path: string, display: string, bytes = 4096): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ReportError(
      display,
      `cannot read the report (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
}

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Parses JSON; a syntax error becomes a ReportError with the line and column. */
export function parseJsonReport(text: string, display: string, what: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const message = (error as Error).message;
    const offset = /position (\d+)/.exec(message)?.[1];
    const position =
      offset !== undefined
        ? positionAt(text, Number(offset))
        : text.trim() === ''
          ? undefined
          : positionAt(text, text.length);
    throw new ReportError(
      display,
      text.trim() === ''
        ? `the ${what} is empty`
        : `the ${what} is not valid JSON (${message.split(' in JSON')[0]})`,
      position,
    );
  }
}

/**
 * Parses XML with fast-xml-parser after validating it, so a truncated or broken file fails with
 * its position instead of yielding a partial tree. Attributes are kept under `@_` names and the
 * listed elements are always arrays, however many there are.
 */
export function parseXmlReport(
  text: string,
  display: string,
  what: string,
  arrays: readonly string[],
): Record<string, unknown> {
  if (text.trim() === '') throw new ReportError(display, `the ${what} is empty`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new ReportError(display, `the ${what} is not well-formed XML (${valid.err.msg})`, {
      line: valid.err.line,
      column: valid.err.col,
    });
  }
  const arraySet = new Set(arrays);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    parseTagValue: false,
    processEntities: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name) => arraySet.has(name),
  });
  return parser.parse(text) as Record<string, unknown>;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A whole number from an XML attribute or JSON value; undefined when absent or not a number. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
