import { fstatSync, readSync } from 'node:fs';

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

export type LastLine =
  | { kind: 'empty' }
  | { kind: 'line'; line: Buffer }
  /** The file does not end with a newline: the last write was cut short. */
  | { kind: 'incomplete' };

/**
 * The last newline-terminated line of an open file, read backwards from the end in chunks so
 * the cost does not grow with the file.
 */
export function readLastLine(fd: number): LastLine {
  const size = fstatSync(fd).size;
  if (size === 0) return { kind: 'empty' };
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] !== NEWLINE) return { kind: 'incomplete' };

  const chunks: Buffer[] = [];
  let end = size - 1;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const chunk = Buffer.alloc(end - start);
    readSync(fd, chunk, 0, chunk.length, start);
    const newline = chunk.lastIndexOf(NEWLINE);
    if (newline >= 0) {
      chunks.unshift(chunk.subarray(newline + 1));
      break;
    }
    chunks.unshift(chunk);
    end = start;
  }
  return { kind: 'line', line: Buffer.concat(chunks) };
}
