// The Emscripten factory inside libpg-query (CommonJS, no type declarations of its own).
declare module 'libpg-query/wasm/libpg-query.js' {
  export interface PgQueryWasm {
    _malloc(size: number): number;
    _free(ptr: number): void;
    _wasm_parse_query_raw(ptr: number): number;
    _wasm_free_parse_result(ptr: number): void;
    getValue(ptr: number, type: string): number;
    UTF8ToString(ptr: number): string;
    stringToUTF8(text: string, ptr: number, max: number): void;
    lengthBytesUTF8(text: string): number;
  }
  export interface FactoryOptions {
    instantiateWasm?: (imports: object, receive: (instance: object) => void) => Record<string, never>;
    locateFile?: (path: string, dir: string) => string;
    print?: (text: string) => void;
    printErr?: (text: string) => void;
  }
  const factory: (options?: FactoryOptions) => Promise<PgQueryWasm>;
  export default factory;
}
