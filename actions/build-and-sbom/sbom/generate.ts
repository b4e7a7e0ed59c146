import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../shared/errors.js';
import { assertValid } from '../schema-validate.js';
import { cycloneDxBom } from './cyclonedx.js';
import type { DescribedImage } from './described-image.js';
import { buildInventory, type Inventory } from './inventory.js';
import { type NtiaReport, ntiaReport } from './ntia.js';
import { type PackageLock, parsePackageLock } from './package-lock.js';
import { spdxDocument } from './spdx.js';

export type SbomFormat = 'cyclonedx-json' | 'spdx-json';
export const SBOM_FORMATS = ['cyclonedx-json', 'spdx-json'] as const;

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
  cyclonedx?: WrittenFile;
  spdx?: WrittenFile;
  ntia: NtiaReport;
  ntiaFile: WrittenFile;
}

/** Reads and parses the lockfile once, so a malformed one fails before anything is built. */
export function loadLockfile(path: string): PackageLock {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read the lockfile ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  return parsePackageLock(text, path);
}

function writeJson(path: string, document: unknown): WrittenFile {
  const text = `${JSON.stringify(document, null, 2)}\n`;
  writeFileSync(path, text);
  return { path, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Both documents are rendered and validated against their official schemas before either is written. */
export function generateSboms(lock: PackageLock, request: SbomRequest): SbomResult {
  const inventory: Inventory = buildInventory(lock, { includeDev: request.includeDev });
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
    ...(cyclonedx ? { cyclonedx: writeJson(join(request.outputDir, 'sbom.cdx.json'), cyclonedx) } : {}),
    ...(spdx ? { spdx: writeJson(join(request.outputDir, 'sbom.spdx.json'), spdx) } : {}),
    ntia,
    ntiaFile: writeJson(join(request.outputDir, 'ntia-report.json'), ntia),
  };
}
