/** A cumulative histogram: counts of observations ≤ each upper bound (the last is +Inf). */
export interface Histogram {
  bounds: number[];
  counts: number[];
}

/** Sorts buckets and makes counts monotonic, as histogram_quantile does. */
export function normalizeHistogram(buckets: ReadonlyMap<number, number>): Histogram {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const counts: number[] = [];
  let running = 0;
  for (const bound of bounds) {
    running = Math.max(running, buckets.get(bound) ?? 0);
    counts.push(running);
  }
  return { bounds, counts };
}

export function totalCount(histogram: Histogram): number {
  return histogram.counts.at(-1) ?? 0;
}

/**
 * The q-quantile, interpolated linearly inside its bucket exactly as Prometheus'
 * histogram_quantile: NaN without observations or without a +Inf bucket, and the highest
 * finite bound when the quantile falls into the +Inf bucket.
 */
export function histogramQuantile(q: number, histogram: Histogram): number {
  const { bounds, counts } = histogram;
  if (bounds.length < 2 || bounds.at(-1) !== Number.POSITIVE_INFINITY) return Number.NaN;
  const total = counts.at(-1) ?? 0;
  if (!(total > 0)) return Number.NaN;
  const rank = q * total;
  let index = counts.findIndex((count) => count >= rank);
  if (index < 0) index = counts.length - 1;
  if (index === bounds.length - 1) return bounds[bounds.length - 2]!;
  if (index === 0 && bounds[0]! <= 0) return bounds[0]!;
  const lower = index === 0 ? 0 : bounds[index - 1]!;
  const below = index === 0 ? 0 : counts[index - 1]!;
  const inBucket = counts[index]! - below;
  if (inBucket <= 0) return bounds[index]!;
  return lower + (bounds[index]! - lower) * ((rank - below) / inBucket);
}

/** Observations above `bound` (which must be one of the bucket bounds). */
export function countAbove(bound: number, histogram: Histogram): number {
  const index = histogram.bounds.indexOf(bound);
  if (index < 0) return Number.NaN;
  return totalCount(histogram) - histogram.counts[index]!;
}

/** The smallest finite bucket bound at or above `value`, if any. */
export function boundAtOrAbove(value: number, histogram: Histogram): number | undefined {
  return histogram.bounds.find((bound) => bound >= value && Number.isFinite(bound));
}
