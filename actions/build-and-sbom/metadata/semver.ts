/** A semantic version as the tag rules need it (semver.org 2.0.0, with an optional leading v). */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease?: string;
  /** major.minor.patch[-prerelease]; build metadata is dropped as metadata-action's {{version}} does. */
  version: string;
}

const SEMVER =
  /^[=v]?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function parseSemver(text: string): SemVer | undefined {
  const match = SEMVER.exec(text.trim());
  if (!match) return undefined;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const prerelease = match[4];
  return {
    major,
    minor,
    patch,
    ...(prerelease ? { prerelease } : {}),
    version: `${major}.${minor}.${patch}${prerelease ? `-${prerelease}` : ''}`,
  };
}
