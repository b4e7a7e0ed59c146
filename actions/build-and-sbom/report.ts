import { details, StepSummary, table } from '../../shared/summary.js';
import type { SbomResult } from './sbom/generate.js';

export interface ReportInputs {
  image: string;
  builder: string;
  version: string;
  tags: readonly string[];
  pushed: boolean;
  digest?: string;
  sbom?: SbomResult;
  provenancePath?: string;
  labels: Record<string, string>;
  auditMarkdown: string;
  configMarkdown?: string;
}

const NTIA_LISTED = 20;

export function buildSummary(report: ReportInputs): StepSummary {
  const summary = new StepSummary().heading(`Image ${report.image}`);
  summary.table(
    ['', ''],
    [
      ['Builder', report.builder],
      ['Version', report.version],
      ['Digest', report.digest ? `\`${report.digest}\`` : 'not pushed'],
      ['Tags', report.tags.map((tag) => `\`${tag}\``).join(' ')],
      ['Pushed', report.pushed ? 'yes' : 'no'],
    ],
  );
  if (report.sbom) {
    const { ntia } = report.sbom;
    summary.heading('SBOM', 3);
    summary.table(
      ['Document', 'Path', 'SHA-256'],
      [
        ...(report.sbom.cyclonedx
          ? [['CycloneDX 1.6', report.sbom.cyclonedx.path, report.sbom.cyclonedx.sha256]]
          : []),
        ...(report.sbom.spdx ? [['SPDX 2.3', report.sbom.spdx.path, report.sbom.spdx.sha256]] : []),
        ...(report.provenancePath ? [['SLSA provenance v1', report.provenancePath, '']] : []),
        ['NTIA report', report.sbom.ntiaFile.path, report.sbom.ntiaFile.sha256],
      ],
    );
    summary.paragraph(`From \`${report.sbom.source.path}\` (${report.sbom.source.format}).`);
    for (const note of [...report.sbom.source.warnings, ...report.sbom.source.notes]) summary.paragraph(note);
    summary.paragraph(
      `${report.sbom.components} components. NTIA minimum elements: ${ntia.complete ? 'all present' : `missing version ${ntia.counts.version}, supplier ${ntia.counts.supplier}, hash ${ntia.counts.hash}`}.`,
    );
    for (const element of ['version', 'supplier', 'hash'] as const) {
      const list = ntia.missing[element];
      if (!list.length) continue;
      const shown = list.slice(0, NTIA_LISTED).map((purl) => `- \`${purl}\``);
      if (list.length > NTIA_LISTED) shown.push(`- … ${list.length - NTIA_LISTED} more in the NTIA report`);
      summary.add(details(`${list.length} component(s) without a ${element}`, shown.join('\n')));
    }
  }
  summary.add(
    details(
      'OCI labels',
      table(
        ['Label', 'Value'],
        Object.entries(report.labels).map(([key, value]) => [key, value]),
      ),
    ),
  );
  if (report.configMarkdown) summary.add(details('Effective configuration', report.configMarkdown));
  summary.add(report.auditMarkdown);
  return summary;
}
