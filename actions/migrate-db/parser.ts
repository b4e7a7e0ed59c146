/// <reference path="./pg-query-module.d.ts" />
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pgQueryFactory, { type PgQueryWasm } from 'libpg-query/wasm/libpg-query.js';

/**
 * The real PostgreSQL parser (libpg_query compiled to WebAssembly), loaded by this module rather
 * than through libpg-query's own entry point: that one instantiates the module as a side effect
 * of being imported and finds the .wasm through `__dirname`, which inside an ncc bundle is the
 * bundle's directory only by accident. Here the .wasm is read from beside this file
 * (`dist/migrate-db/libpg-query.wasm`, copied there by bundle-assets.json) and, when running from
 * source (tests), from the installed package; a missing file is a clear error, not a crash.
 */

export const WASM_FILE = 'libpg-query.wasm';

let loading: Promise<PgQueryWasm> | undefined;

/** The part of the WebAssembly global used here (the project's lib has no DOM types). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Where the .wasm is: beside the running file (the bundle), else in node_modules. */
export function locateWasm(): string {
  const beside = fileURLToPath(new URL(`./${WASM_FILE}`, import.meta.url));
  if (existsSync(beside)) return beside;
  try {
    return createRequire(import.meta.url).resolve(`libpg-query/wasm/${WASM_FILE}`);
  } catch {
    throw new Error(`the PostgreSQL parser (${WASM_FILE}) is missing: expected it at ${beside}`);
  }
}

export function loadParser(): Promise<PgQueryWasm> {
  loading ??= (async () => {
    const wasmPath = locateWasm();
    const compiled = await wasmApi.compile(readFileSync(wasmPath));
    // Emscripten's Node prelude reads `__dirname` (a CommonJS free variable) synchronously when
    // the factory is called. An ESM bundle has none, so the read would throw a ReferenceError;
    // a global of that name stands in for the duration of the synchronous call only.
    const globals = globalThis as { __dirname?: string };
    const shim = typeof globals.__dirname === 'undefined';
    if (shim) globals.__dirname = dirname(wasmPath);
    let pending: Promise<PgQueryWasm>;
    try {
      pending = pgQueryFactory({
        locateFile: () => wasmPath,
        instantiateWasm(imports, receive) {
          void wasmApi.instantiate(compiled, imports).then(receive);
          return {};
        },
        print: () => {},
        printErr: () => {},
      });
    } finally {
      if (shim) delete globals.__dirname;
    }
    return pending;
  })();
  return loading;
}

/** A syntax error, with the 0-based character offset the parser reported. */
export class SqlSyntaxError extends Error {
  override readonly name = 'SqlSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export interface RawStatement {
  /** The statement's node, e.g. `{ IndexStmt: {...} }`. */
  stmt: Record<string, unknown>;
  /** Byte offset of the statement in the UTF-8 text; absent means 0. */
  stmt_location?: number;
  /** Byte length; absent or 0 means "to the end of the text". */
  stmt_len?: number;
}

export interface ParseTree {
  version: number;
  stmts: RawStatement[];
}

/** Parses SQL text into its raw statements; a syntax error throws SqlSyntaxError. */
export async function parseSql(text: string): Promise<ParseTree> {
  const wasm = await loadParser();
  return parseWith(wasm, text);
}

export function parseWith(wasm: PgQueryWasm, text: string): ParseTree {
  const size = wasm.lengthBytesUTF8(text) + 1;
  const queryPtr = wasm._malloc(size);
  let resultPtr = 0;
  try {
    wasm.stringToUTF8(text, queryPtr, size);
    resultPtr = wasm._wasm_parse_query_raw(queryPtr);
    if (!resultPtr) throw new Error('the PostgreSQL parser ran out of memory');
    const treePtr = wasm.getValue(resultPtr, 'i32');
    const errorPtr = wasm.getValue(resultPtr + 8, 'i32');
    if (errorPtr) {
      const messagePtr = wasm.getValue(errorPtr, 'i32');
      const cursor = wasm.getValue(errorPtr + 16, 'i32');
      const message = messagePtr ? wasm.UTF8ToString(messagePtr) : 'syntax error';
      throw new SqlSyntaxError(message, cursor > 0 ? cursor - 1 : 0);
    }
    if (!treePtr) return { version: 0, stmts: [] };
    const tree = JSON.parse(wasm.UTF8ToString(treePtr)) as Partial<ParseTree>;
    return { version: tree.version ?? 0, stmts: tree.stmts ?? [] };
  } finally {
    wasm._free(queryPtr);
    if (resultPtr) wasm._wasm_free_parse_result(resultPtr);
  }
}
