/** The SBOM formats the action writes; kept apart from the renderers so reading inputs loads none of them. */
export type SbomFormat = 'cyclonedx-json' | 'spdx-json';
export const SBOM_FORMATS = ['cyclonedx-json', 'spdx-json'] as const;
