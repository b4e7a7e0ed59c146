/** The container image an SBOM describes, when one was built. */
export interface DescribedImage {
  /** Repository name, e.g. ghcr.io/org/app. */
  name: string;
  /** sha256:<hex> */
  digest: string;
  version?: string;
  purl: string;
}

export const TOOL = { vendor: 'deploy-actions', name: 'build-and-sbom' } as const;
