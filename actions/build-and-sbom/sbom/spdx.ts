import { createHash, randomUUID } from 'node:crypto';
import { type DescribedImage, TOOL } from './described-image.js';
import type { Inventory, InventoryPackage } from './inventory.js';
import { spdxLicenseField } from './license.js';

export interface SpdxOptions {
  image?: DescribedImage;
  toolVersion: string;
  timestamp: Date;
  /** Who the document is created for, e.g. the repository owner. */
  organization?: string;
  namespaceBase?: string;
}

const SPDX_ALGORITHM: Record<string, string> = {
  'SHA-1': 'SHA1',
  'SHA-256': 'SHA256',
  'SHA-384': 'SHA384',
  'SHA-512': 'SHA512',
};

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  supplier: string;
  downloadLocation: string;
  filesAnalyzed: false;
  checksums?: { algorithm: string; checksumValue: string }[];
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  externalRefs: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  primaryPackagePurpose?: string;
}

/** SPDXIDs allow letters, digits, `.` and `-`; a short hash keeps ids unique after replacement. */
function spdxId(purl: string): string {
  const readable = purl
    .replace(/^pkg:/, '')
    .replace(/%40/g, '')
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .slice(0, 80);
  const hash = createHash('sha256').update(purl).digest('hex').slice(0, 8);
  return `SPDXRef-Package-${readable}-${hash}`;
}

function toPackage(pkg: InventoryPackage, purpose: string): SpdxPackage {
  const checksums = [...pkg.hashes].map(([algorithm, hex]) => ({
    algorithm: SPDX_ALGORITHM[algorithm] ?? algorithm,
    checksumValue: hex,
  }));
  return {
    SPDXID: spdxId(pkg.purl),
    name: pkg.name,
    ...(pkg.version ? { versionInfo: pkg.version } : {}),
    supplier: pkg.supplier ? `Organization: ${pkg.supplier.replace(/[\r\n]+/g, ' ')}` : 'NOASSERTION',
    downloadLocation:
      pkg.resolved && /^(https?|git\+\w+):\/\//.test(pkg.resolved) ? pkg.resolved : 'NOASSERTION',
    filesAnalyzed: false,
    ...(checksums.length ? { checksums } : {}),
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: spdxLicenseField(pkg.license),
    copyrightText: 'NOASSERTION',
    externalRefs: [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl },
    ],
    primaryPackagePurpose: purpose,
  };
}

/** An SPDX 2.3 JSON document of the inventory (validated by the caller before writing). */
export function spdxDocument(inventory: Inventory, options: SpdxOptions): Record<string, unknown> {
  const packages: SpdxPackage[] = [];
  const relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[] = [];
  const app = toPackage(inventory.root, 'APPLICATION');
  packages.push(app);
  const ids = new Map<string, string>();
  for (const pkg of inventory.packages.values()) {
    const spdx = toPackage(pkg, 'LIBRARY');
    ids.set(pkg.purl, spdx.SPDXID);
    packages.push(spdx);
  }
  let described = app.SPDXID;
  if (options.image) {
    const image: SpdxPackage = {
      SPDXID: spdxId(options.image.purl),
      name: options.image.name,
      ...(options.image.version ? { versionInfo: options.image.version } : {}),
      supplier: options.organization ? `Organization: ${options.organization}` : 'NOASSERTION',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: options.image.digest.replace(/^sha256:/, '') }],
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      externalRefs: [
        { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: options.image.purl },
      ],
      primaryPackagePurpose: 'CONTAINER',
    };
    packages.unshift(image);
    described = image.SPDXID;
    relationships.push({
      spdxElementId: image.SPDXID,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: app.SPDXID,
    });
  }
  relationships.unshift({
    spdxElementId: 'SPDXRef-DOCUMENT',
    relationshipType: 'DESCRIBES',
    relatedSpdxElement: described,
  });
  for (const pkg of [inventory.root, ...inventory.packages.values()]) {
    const from = pkg === inventory.root ? app.SPDXID : ids.get(pkg.purl)!;
    for (const purl of pkg.dependsOn) {
      const to = ids.get(purl);
      if (to)
        relationships.push({ spdxElementId: from, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to });
    }
  }
  const name = options.image ? `${options.image.name}@${options.image.digest}` : inventory.root.name;
  const base = options.namespaceBase ?? 'https://spdx.org/spdxdocs';
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `${base}/${encodeURIComponent(name.replace(/[/@:]+/g, '-'))}-${randomUUID()}`,
    creationInfo: {
      created: `${options.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
      creators: [
        `Tool: ${TOOL.vendor}-${TOOL.name}-${options.toolVersion}`,
        ...(options.organization ? [`Organization: ${options.organization}`] : []),
      ],
    },
    documentDescribes: [described],
    packages,
    relationships,
  };
}
