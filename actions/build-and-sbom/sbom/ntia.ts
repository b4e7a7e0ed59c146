import type { Inventory } from './inventory.js';

/**
 * The NTIA minimum elements (2021): per component a supplier, name, version, unique identifier
 * (purl) and dependency relationships; per document an author and a timestamp. Names and purls
 * always exist here; the report lists the components missing a version, a supplier or a hash.
 */
export interface NtiaReport {
  components: number;
  complete: boolean;
  missing: { version: string[]; supplier: string[]; hash: string[] };
  counts: { version: number; supplier: number; hash: number };
  document: { author: boolean; timestamp: boolean; dependencyRelationships: boolean };
}

export function ntiaReport(inventory: Inventory): NtiaReport {
  const missing = { version: [] as string[], supplier: [] as string[], hash: [] as string[] };
  for (const pkg of inventory.packages.values()) {
    if (!pkg.version) missing.version.push(pkg.purl);
    if (!pkg.supplier) missing.supplier.push(pkg.purl);
    if (pkg.hashes.size === 0) missing.hash.push(pkg.purl);
  }
  const counts = {
    version: missing.version.length,
    supplier: missing.supplier.length,
    hash: missing.hash.length,
  };
  return {
    components: inventory.packages.size,
    complete: counts.version + counts.supplier + counts.hash === 0,
    missing,
    counts,
    document: { author: true, timestamp: true, dependencyRelationships: true },
  };
}
