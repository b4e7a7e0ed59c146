import type * as z from 'zod';
import { type Unit, unitOf } from './schema-fields.js';

type Schema = z.core.$ZodType;

interface WalkableDef {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
}

const def = (schema: Schema) => schema._zod.def as unknown as WalkableDef;

/** The wrappers a schema passes through before reaching its shape (optional, default, pipe…). */
function* layers(schema: Schema): Generator<Schema> {
  let current: Schema | undefined = schema;
  while (current) {
    yield current;
    const d = def(current);
    current = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
  }
}

function shapeOf(schema: Schema): Schema {
  let last = schema;
  for (const layer of layers(schema)) last = layer;
  return last;
}

/** The schema for the value at `path`, following maps, lists and records. */
export function schemaAt(schema: Schema, path: readonly PropertyKey[]): Schema | undefined {
  let current: Schema | undefined = schema;
  for (const key of path) {
    if (!current) return undefined;
    const d = def(shapeOf(current));
    if (d.type === 'object' && typeof key === 'string') current = d.shape?.[key];
    else if (d.type === 'array' && typeof key === 'number') current = d.element;
    else if (d.type === 'record') current = d.valueType;
    else return undefined;
  }
  return current;
}

/** The keys a map at `path` accepts; empty when the path is not a fixed-key map. */
export function knownKeysAt(schema: Schema, path: readonly PropertyKey[]): string[] {
  const at = schemaAt(schema, path);
  const d = at && def(shapeOf(at));
  return d?.type === 'object' ? Object.keys(d.shape ?? {}) : [];
}

/** The unit a value at `path` is written in, if any. */
export function unitAt(schema: Schema, path: readonly PropertyKey[]): Unit | undefined {
  const at = schemaAt(schema, path);
  if (!at) return undefined;
  for (const layer of layers(at)) {
    const unit = unitOf.get(layer);
    if (unit) return unit;
  }
  return undefined;
}
