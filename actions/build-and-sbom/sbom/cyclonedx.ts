import { randomUUID } from 'node:crypto';
// Sub-path imports: the package root also loads its validators, which locate files via
// __dirname and cannot run inside an ES module bundle.
import * as Enums from '@cyclonedx/cyclonedx-library/Enums';
import * as Models from '@cyclonedx/cyclonedx-library/Models';
import * as Serialize from '@cyclonedx/cyclonedx-library/Serialize';
import * as Spec from '@cyclonedx/cyclonedx-library/Spec';
import { type DescribedImage, TOOL } from './described-image.js';
import type { Inventory, InventoryPackage } from './inventory.js';
import { classifyLicense } from './license.js';

export interface CycloneDxOptions {
  image?: DescribedImage;
  toolVersion: string;
  timestamp: Date;
  serialNumber?: string;
}

function licensesOf(raw: string | undefined): Models.LicenseRepository {
  const repository = new Models.LicenseRepository();
  const license = classifyLicense(raw);
  if (!license) return repository;
  const acknowledgement = Enums.LicenseAcknowledgement.Declared;
  if (license.kind === 'id') repository.add(new Models.SpdxLicense(license.value, { acknowledgement }));
  else if (license.kind === 'expression') {
    const expression = new Models.LicenseExpression(license.value);
    expression.acknowledgement = acknowledgement;
    repository.add(expression);
  } else repository.add(new Models.NamedLicense(license.value, { acknowledgement }));
  return repository;
}

function splitName(name: string): { group?: string; name: string } {
  if (!name.startsWith('@') || !name.includes('/')) return { name };
  const slash = name.indexOf('/');
  return { group: name.slice(0, slash), name: name.slice(slash + 1) };
}

function toComponent(pkg: InventoryPackage, type: Enums.ComponentType): Models.Component {
  const hashes = new Models.HashDictionary();
  for (const [algorithm, hex] of pkg.hashes) hashes.set(algorithm as Enums.HashAlgorithm, hex);
  const externalReferences = new Models.ExternalReferenceRepository();
  if (pkg.resolved && /^https?:\/\//.test(pkg.resolved)) {
    externalReferences.add(
      new Models.ExternalReference(pkg.resolved, Enums.ExternalReferenceType.Distribution),
    );
  }
  const properties = new Models.PropertyRepository([
    ...pkg.paths.filter(Boolean).map((path) => new Models.Property('cdx:npm:package:path', path)),
    ...(pkg.properties ?? []).map(([name, value]) => new Models.Property(name, value)),
  ]);
  const { group, name } = splitName(pkg.name);
  return new Models.Component(type, name, {
    bomRef: pkg.purl,
    group,
    version: pkg.version,
    purl: pkg.purl,
    hashes,
    licenses: licensesOf(pkg.license),
    supplier: pkg.supplier ? new Models.OrganizationalEntity({ name: pkg.supplier }) : undefined,
    externalReferences,
    properties,
  });
}

/** A CycloneDX 1.6 BOM of the inventory, as a JSON object (validated by the caller before writing). */
export function cycloneDxBom(inventory: Inventory, options: CycloneDxOptions): unknown {
  const bom = new Models.Bom({ serialNumber: options.serialNumber ?? `urn:uuid:${randomUUID()}` });
  bom.metadata.timestamp = options.timestamp;
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, TOOL.name, {
      group: TOOL.vendor,
      version: options.toolVersion,
    }),
  );
  bom.metadata.lifecycles.add(Enums.LifecyclePhase.Build);

  const components = new Map<string, Models.Component>();
  for (const pkg of inventory.packages.values()) {
    const component = toComponent(pkg, Enums.ComponentType.Library);
    components.set(pkg.purl, component);
    bom.components.add(component);
  }
  const app = toComponent(inventory.root, Enums.ComponentType.Application);
  for (const pkg of [inventory.root, ...inventory.packages.values()]) {
    const from = pkg === inventory.root ? app : components.get(pkg.purl)!;
    for (const purl of pkg.dependsOn) {
      const to = components.get(purl);
      if (to) from.dependencies.add(to.bomRef);
    }
  }

  if (options.image) {
    // The image is what was shipped: it contains the application, which holds the packages.
    const image = new Models.Component(Enums.ComponentType.Container, options.image.name, {
      bomRef: options.image.purl,
      version: options.image.version,
      purl: options.image.purl,
      hashes: new Models.HashDictionary([
        [Enums.HashAlgorithm['SHA-256'], options.image.digest.replace(/^sha256:/, '')],
      ]),
    });
    image.dependencies.add(app.bomRef);
    bom.components.add(app);
    bom.metadata.component = image;
  } else {
    bom.metadata.component = app;
  }

  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return JSON.parse(serializer.serialize(bom, { sortLists: true }));
}
