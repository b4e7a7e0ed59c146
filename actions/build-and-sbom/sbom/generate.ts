import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertValid } from '../schema-validate.js';
import { cycloneDxBom } from './cyclonedx.js';
import type { DescribedImage } from './described-image.js';
import type { SbomFormat } from './formats.js';
import type { Inventory } from './inventory.js';
import { describeLockfile, type Lockfile } from './load-lockfile.js';
import { lockfileInventory } from './lockfile-inventory.js';
import { type NtiaReport, ntiaReport } from './ntia.js';
import { spdxDocument } from './spdx.js';

/**
 * Renders, validates and writes the SBOMs. This module (with the CycloneDX library, ajv and the
 * schemas) is loaded only once an image has been built, so the action starts without it.
 */

export interface SbomRequest {
  lockfile: string;
  outputDir: string;
  formats: readonly SbomFormat[];
  includeDev: boolean;
  toolVersion: string;
  timestamp: Date;
  image?: DescribedImage;
  organization?: string;
}

export interface WrittenFile {
  path: string;
  sha256: string;
}

export interface SbomResult {
  components: number;
  /** The lockfile read, its format as the summary names it, and notes on how it was read. */
  source: { path: string; format: string; warnings: string[]; notes: string[] };
  cyclonedx?: WrittenFile;
  spdx?: WrittenFile;
  ntia: NtiaReport;
  ntiaFile: WrittenFile;
}

function writeJson(path: string, document: unknown): WrittenFile {
  const text = `${JSON.stringify(document, null, 2)}\n`;
  writeFileSync(path, text);
  return { path, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Both documents are rendered and validated against their official schemas before either is written. */
export function generateSboms(lock: Lockfile, request: SbomRequest): SbomResult {
  const inventory: Inventory = lockfileInventory(lock, { includeDev: request.includeDev });
  const common = { image: request.image, toolVersion: request.toolVersion, timestamp: request.timestamp };
  const cyclonedx = request.formats.includes('cyclonedx-json') ? cycloneDxBom(inventory, common) : undefined;
  const spdx = request.formats.includes('spdx-json')
    ? spdxDocument(inventory, { ...common, organization: request.organization })
    : undefined;
  if (cyclonedx) assertValid('cyclonedx-1.6', cyclonedx);
  if (spdx) assertValid('spdx-2.3', spdx);

  mkdirSync(request.outputDir, { recursive: true });
  const ntia = ntiaReport(inventory);
  return {
    components: inventory.packages.size,
    source: { path: lock.file, format: describeLockfile(lock), warnings: lock.warnings, notes: lock.notes },
    ...(cyclonedx ? { cyclonedx: writeJson(join(request.outputDir, 'sbom.cdx.json'), cyclonedx) } : {}),
    ...(spdx ? { spdx: writeJson(join(request.outputDir, 'sbom.spdx.json'), spdx) } : {}),
    ntia,
    ntiaFile: writeJson(join(request.outputDir, 'ntia-report.json'), ntia),
  };
}
