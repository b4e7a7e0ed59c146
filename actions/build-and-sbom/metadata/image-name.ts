import { UserError } from '../../../shared/errors.js';

/**
 * Normalises an image repository name the way registries accept it: lower case (as
 * docker/metadata-action does), characters outside the reference grammar replaced with `-`,
 * separators trimmed from the ends of each path component. A tag or digest is refused: the
 * action chooses the tags.
 */
export function normalizeImageName(input: string): string {
  const raw = input.trim();
  if (!raw) throw new UserError('input "image": expected an image name such as ghcr.io/org/app');
  if (raw.includes('@')) {
    throw new UserError(`input "image": give the name without a digest, got ${JSON.stringify(raw)}`);
  }
  const parts = raw.split('/');
  const first = parts[0]!;
  const hasRegistry =
    parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const lastPart = parts.at(-1)!;
  if (lastPart.includes(':')) {
    throw new UserError(
      `input "image": give the name without a tag (tags come from the ref and the "tags" input), got ${JSON.stringify(raw)}`,
    );
  }
  const registry = hasRegistry ? first.toLowerCase().replace(/[^a-z0-9.:-]+/g, '-') : undefined;
  const path = (hasRegistry ? parts.slice(1) : parts).map((component) =>
    component
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+|[._-]+$/g, ''),
  );
  if (path.some((component) => component === '')) {
    throw new UserError(`input "image": ${JSON.stringify(raw)} has an empty path component once normalised`);
  }
  return [...(registry ? [registry] : []), ...path].join('/');
}

/** The registry host of an image name (`docker.io` when none is written). */
export function registryOf(image: string): string {
  const first = image.split('/')[0]!;
  const hasRegistry =
    image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return hasRegistry ? first : 'docker.io';
}

/** The repository path within the registry, as the distribution API addresses it. */
export function repositoryPathOf(image: string): string {
  const registry = registryOf(image);
  if (image.startsWith(`${registry}/`)) return image.slice(registry.length + 1);
  return image.includes('/') ? image : `library/${image}`;
}
