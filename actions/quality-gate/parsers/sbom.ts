import { isObject } from '../read-report.js';
import { ReportError } from '../report-error.js';

/** A package of an SBOM and the licence expression it declares (undefined when none). */
export interface SbomPackage {
  name: string;
  version?: string;
  license?: string;
}

export interface SbomReport {
  format: 'cyclonedx' | 'spdx';
  file: string;
  packages: SbomPackage[];
}

type Obj = Record<string, unknown>;
const objects = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isObject) : []);

export function looksLikeSbom(data: unknown): boolean {
  return isObject(data) && (data.bomFormat === 'CycloneDX' || typeof data.spdxVersion === 'string');
}

function cyclonedxLicense(component: Obj): string | undefined {
  const parts = objects(component.licenses).flatMap((entry) => {
    if (typeof entry.expression === 'string') return [entry.expression];
    const license = isObject(entry.license) ? entry.license : undefined;
    const id = license?.id ?? license?.name;
    return typeof id === 'string' ? [id] : [];
  });
  // Several licence entries on one component all apply.
  return parts.length === 0
    ? undefined
    : parts.length === 1
      ? parts[0]
      : parts.map((p) => `(${p})`).join(' AND ');
}

/** CycloneDX JSON (components, nested too) or SPDX 2.x JSON (packages). */
export function parseSbom(data: unknown, file: string): SbomReport {
  if (!looksLikeSbom(data)) throw new ReportError(file, 'expected a CycloneDX or SPDX JSON SBOM');
  const root = data as Obj;
  if (root.bomFormat === 'CycloneDX') {
    const packages: SbomPackage[] = [];
    const walk = (components: unknown) => {
      for (const component of objects(components)) {
        const license = cyclonedxLicense(component);
        packages.push({
          name: String(component.group ? `${component.group}/${component.name}` : (component.name ?? '?')),
          ...(typeof component.version === 'string' ? { version: component.version } : {}),
          ...(license ? { license } : {}),
        });
        walk(component.components);
      }
    };
    walk(root.components);
    return { format: 'cyclonedx', file, packages };
  }
  const packages = objects(root.packages).map((pkg) => {
    const pick = [pkg.licenseConcluded, pkg.licenseDeclared].find(
      (value) => typeof value === 'string' && value !== 'NOASSERTION' && value !== 'NONE',
    ) as string | undefined;
    return {
      name: String(pkg.name ?? '?'),
      ...(typeof pkg.versionInfo === 'string' ? { version: pkg.versionInfo } : {}),
      ...(pick ? { license: pick } : {}),
    };
  });
  return { format: 'spdx', file, packages };
}
