import { createReadStream } from 'node:fs';

interface Frame {
  array: boolean;
  /** The key whose value is being read (objects only). */
  key?: string;
  expectKey: boolean;
  /** This array's elements are handed to the callback instead of kept. */
  streamed?: boolean;
}

export interface StreamedJson {
  /** The document with every streamed array left empty. */
  skeleton: string;
}

/**
 * Reads a large JSON document in chunks and hands each element of the arrays that `isStreamed`
 * picks (by key path) to `onElement` as JSON text, so a 50 MB SARIF log never exists as one
 * object tree. Everything else is returned as a small skeleton to parse whole. Only structure is
 * tracked here; the text of each element and the skeleton go through JSON.parse, which rejects
 * anything malformed.
 */
export async function streamJsonArrays(
  path: string,
  isStreamed: (keys: readonly (string | number)[]) => boolean,
  onElement: (json: string, keys: readonly (string | number)[]) => void,
): Promise<StreamedJson> {
  const stack: Frame[] = [];
  const indexes: number[] = [];
  const skeleton: string[] = [];
  let capture: string[] = [];
  let mode: 'skeleton' | 'skip' | 'capture' = 'skeleton';
  let captureDepth = 0;
  let inString = false;
  let escaped = false;
  let keyParts: string[] | undefined;
  let lastKey: string | undefined;
  const special = /["\\]/g;

  const keyPath = () =>
    stack.map((frame, depth) => (frame.array ? (indexes[depth] ?? 0) : (frame.key ?? '')));

  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    let segStart = 0;
    const flush = (end: number) => {
      if (end > segStart) {
        if (mode === 'skeleton') skeleton.push(chunk.slice(segStart, end));
        else if (mode === 'capture') capture.push(chunk.slice(segStart, end));
      }
      segStart = end;
    };
    let i = 0;
    const length = chunk.length;
    while (i < length) {
      if (inString) {
        if (escaped) {
          escaped = false;
          i++;
          continue;
        }
        special.lastIndex = i;
        const match = special.exec(chunk);
        if (!match) {
          if (keyParts) keyParts.push(chunk.slice(i));
          i = length;
          break;
        }
        const at = match.index;
        if (chunk.charCodeAt(at) === 92) {
          if (keyParts) keyParts.push(chunk.slice(i, at + 2));
          if (at + 1 >= length) escaped = true;
          i = at + 2;
          continue;
        }
        if (keyParts) {
          keyParts.push(chunk.slice(i, at));
          lastKey = keyParts.join('');
          keyParts = undefined;
        }
        inString = false;
        i = at + 1;
        continue;
      }
      const code = chunk.charCodeAt(i);
      const top = stack[stack.length - 1];
      switch (code) {
        case 34: // "
          inString = true;
          if (top && !top.array && top.expectKey) keyParts = [];
          break;
        case 58: // :
          if (top && !top.array) {
            top.key = lastKey;
            top.expectKey = false;
          }
          break;
        case 44: // ,
          if (top?.array) indexes[stack.length - 1] = (indexes[stack.length - 1] ?? 0) + 1;
          else if (top) top.expectKey = true;
          break;
        case 123: // {
        case 91: {
          // [
          if (top?.streamed && mode === 'skip') {
            flush(i);
            mode = 'capture';
            captureDepth = stack.length;
          }
          const frame: Frame = { array: code === 91, expectKey: code === 123 };
          if (frame.array && mode === 'skeleton' && isStreamed(keyPath())) {
            frame.streamed = true;
            stack.push(frame);
            indexes[stack.length - 1] = 0;
            flush(i + 1);
            mode = 'skip';
            break;
          }
          stack.push(frame);
          indexes[stack.length - 1] = 0;
          break;
        }
        case 125: // }
        case 93: {
          // ]
          const closed = stack.pop();
          if (!closed) throw new SyntaxError('unbalanced brackets');
          if (closed.streamed) {
            flush(i);
            mode = 'skeleton';
          } else if (mode === 'capture' && stack.length === captureDepth) {
            flush(i + 1);
            onElement(capture.join(''), keyPath());
            capture = [];
            mode = 'skip';
          }
          break;
        }
        default:
          // Scalars outside strings (numbers, true, false, null) and whitespace need no state.
          if (top?.streamed && mode === 'skip' && code > 32 && code !== 44) {
            // A scalar element of a streamed array: capture it like an object.
            flush(i);
            mode = 'capture';
            captureDepth = stack.length;
            let end = i;
            while (end < length && !/[\s,\]]/.test(chunk[end]!)) end++;
            i = end;
            flush(end);
            onElement(capture.join(''), keyPath());
            capture = [];
            mode = 'skip';
            continue;
          }
      }
      i++;
    }
    flush(length);
  }
  if (stack.length || inString) throw new SyntaxError('the document ends inside an object, array or string');
  return { skeleton: skeleton.join('') };
}
