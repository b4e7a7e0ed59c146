import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Validates SBOMs against the official JSON schemas shipped next to the bundle (the build copies
 * `schemas/` into dist/build-and-sbom/). Schemas are found from this module's own location,
 * never from the working directory.
 */

export type SbomSchema = 'cyclonedx-1.6' | 'spdx-2.3';

const FILES: Record<SbomSchema, { main: string; refs: string[] }> = {
  'cyclonedx-1.6': {
    main: 'cyclonedx-1.6/bom-1.6.schema.json',
    refs: ['cyclonedx-1.6/spdx.schema.json', 'cyclonedx-1.6/jsf-0.82.schema.json'],
  },
  'spdx-2.3': { main: 'spdx-2.3/spdx-schema.json', refs: [] },
};

/** The schemas folder: beside the bundle, beside this source file, or (compiled tree) in the sources. */
export function schemasDir(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const candidates = [join(here, 'schemas'), join(here, '../../../actions/build-and-sbom/schemas')];
  const found = candidates.find((dir) => existsSync(join(dir, FILES['spdx-2.3'].main)));
  if (!found) throw new Error(`SBOM schemas not found (looked in ${candidates.join(', ')})`);
  return found;
}

// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const compiled = new Map<SbomSchema, ValidateFunction>();

function validator(schema: SbomSchema): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const dir = schemasDir();
  const load = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
  addFormats(ajv);
  // Formats ajv-formats lacks; the schemas use them for references and contact e-mails.
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', /^\S+@\S+$/);
  for (const ref of FILES[schema].refs) ajv.addSchema(load(ref));
  const validate = ajv.compile(load(FILES[schema].main));
  compiled.set(schema, validate);
  return validate;
}

export class SchemaValidationError extends Error {
  override readonly name = 'SchemaValidationError';
}

/** Throws naming the first problems when `document` does not match the official schema. */
export function assertValid(schema: SbomSchema, document: unknown): void {
  const validate = validator(schema);
  if (validate(document)) return;
  const problems = (validate.errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`.trim());
  throw new SchemaValidationError(
    `the ${schema} SBOM does not match its official schema: ${problems.join('; ')}`,
  );
}
