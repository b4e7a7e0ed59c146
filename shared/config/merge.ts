import type { MapNode } from './tree.js';

/**
 * Layers `over` on top of `base`: maps merge key by key, anything else (lists included) is
 * replaced whole, so a list in an environment file never silently keeps its base's items.
 */
export function mergeMaps(base: MapNode, over: MapNode): MapNode {
  const entries = new Map(base.entries);
  for (const [key, entry] of over.entries) {
    const below = entries.get(key);
    if (below?.value.kind === 'map' && entry.value.kind === 'map') {
      entries.set(key, { keyOrigin: entry.keyOrigin, value: mergeMaps(below.value, entry.value) });
    } else {
      entries.set(key, entry);
    }
  }
  return { kind: 'map', entries, origin: over.origin };
}
