import type { GitContext } from './git-context.js';
import { parseSemver } from './semver.js';

/**
 * Image tags by docker/metadata-action's rules: `sha-<7>` always; a semver git tag gives
 * `{{version}}`, `{{major}}.{{minor}}` and `{{major}}` (no `0` for major version zero, and only
 * the full version for a pre-release); a branch gives its sanitised name; a pull request
 * `pr-<n>`; a schedule `nightly`. Tags are ordered by metadata-action's priorities, and the
 * first one is the version. `latest` comes last when asked for, or in `auto` mode on the
 * default branch and on a release (a stable semver or a non-semver git tag).
 */

export type LatestMode = 'auto' | 'true' | 'false';

export interface TagOptions {
  /** Overrides the version derived from the ref (a semver value is expanded like a git tag). */
  version?: string;
  /** Extra tags, sanitised and kept in the order given. */
  extraTags?: readonly string[];
  latest?: LatestMode;
}

export interface ImageTags {
  version: string;
  /** Tags only, highest priority first, without the image name. */
  tags: string[];
}

interface Candidate {
  value: string;
  priority: number;
  /** Whether this tag, in `auto` mode, earns a `latest` tag. */
  latest: boolean;
}

/** metadata-action's priorities: higher comes first. */
const PRIORITY = { schedule: 1000, semver: 900, ref: 600, raw: 200, sha: 100 } as const;
const MAX_TAG_LENGTH = 128;

/**
 * A valid tag: runs of characters outside `[A-Za-z0-9_.-]` become `-` (metadata-action), and
 * since a tag may not start with `.` or `-` nor exceed 128 characters, those are trimmed.
 */
export function sanitizeTag(tag: string): string {
  return tag
    .replace(/[^a-zA-Z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, MAX_TAG_LENGTH);
}

function semverCandidates(text: string): Candidate[] | undefined {
  const parsed = parseSemver(text);
  if (!parsed) return undefined;
  if (parsed.prerelease) return [{ value: parsed.version, priority: PRIORITY.semver, latest: false }];
  const out: Candidate[] = [
    { value: parsed.version, priority: PRIORITY.semver, latest: true },
    { value: `${parsed.major}.${parsed.minor}`, priority: PRIORITY.semver, latest: true },
  ];
  if (parsed.major !== 0) out.push({ value: String(parsed.major), priority: PRIORITY.semver, latest: true });
  return out;
}

function refCandidates(context: GitContext): Candidate[] {
  if (/schedule/.test(context.eventName))
    return [{ value: 'nightly', priority: PRIORITY.schedule, latest: false }];
  const { ref } = context;
  if (ref.startsWith('refs/tags/')) {
    const name = ref.slice('refs/tags/'.length);
    return semverCandidates(name) ?? [{ value: sanitizeTag(name), priority: PRIORITY.ref, latest: true }];
  }
  if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length);
    return [
      {
        value: sanitizeTag(branch),
        priority: PRIORITY.ref,
        latest: context.defaultBranch !== undefined && branch === context.defaultBranch,
      },
    ];
  }
  const pr = /^refs\/pull\/(\d+)\//.exec(ref);
  if (pr) return [{ value: `pr-${pr[1]}`, priority: PRIORITY.ref, latest: false }];
  return [];
}

function versionCandidates(version: string, context: GitContext): Candidate[] {
  const onDefaultBranch =
    context.defaultBranch !== undefined && context.ref === `refs/heads/${context.defaultBranch}`;
  const semver = semverCandidates(version);
  if (semver) return semver.map((c) => ({ ...c, latest: c.latest || onDefaultBranch }));
  return [{ value: sanitizeTag(version), priority: PRIORITY.semver, latest: onDefaultBranch }];
}

export function computeTags(context: GitContext, options: TagOptions = {}): ImageTags {
  const candidates: Candidate[] = options.version
    ? versionCandidates(options.version, context)
    : refCandidates(context);
  for (const extra of options.extraTags ?? []) {
    candidates.push({ value: sanitizeTag(extra), priority: PRIORITY.raw, latest: false });
  }
  if (context.sha) {
    candidates.push({ value: `sha-${context.sha.slice(0, 7)}`, priority: PRIORITY.sha, latest: false });
  }
  // Stable sort: equal priorities keep the order they were produced in, as metadata-action does.
  const ordered = candidates.filter((c) => c.value !== '').sort((a, b) => b.priority - a.priority);
  const tags: string[] = [];
  for (const candidate of ordered) if (!tags.includes(candidate.value)) tags.push(candidate.value);

  const mode = options.latest ?? 'auto';
  const wantLatest = mode === 'true' || (mode === 'auto' && candidates.some((c) => c.latest));
  if (wantLatest && !tags.includes('latest')) tags.push('latest');

  const version = options.version
    ? (parseSemver(options.version)?.version ?? sanitizeTag(options.version))
    : (tags[0] ?? '');
  return { version, tags };
}

/** `name:tag` for every tag. */
export function imageRefs(image: string, tags: readonly string[]): string[] {
  return tags.map((tag) => `${image}:${tag}`);
}
