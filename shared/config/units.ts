/**
 * Rates and durations are written with their unit ("0.1%", "500ms") so a threshold cannot be
 * read off by a factor of 100 or 1000; the parsed config holds fractions and milliseconds.
 */

const durationUnits = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type DurationUnit = keyof typeof durationUnits;

/** "1h30m" → 5_400_000; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let i = 0;
  while (i < trimmed.length) {
    part.lastIndex = i;
    const match = part.exec(trimmed);
    if (!match) return undefined;
    total += Number(match[1]) * durationUnits[match[2] as DurationUnit];
    i = part.lastIndex;
  }
  return i > 0 ? Math.round(total) : undefined;
}

/** 5_400_000 → "1h30m"; 500 → "500ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = durationUnits[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}

/** "0.1%" → 0.001; undefined when the text is not a percentage. */
export function parsePercent(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  return match ? Number(match[1]) / 100 : undefined;
}

/** 0.001 → "0.1%", without floating-point noise. */
export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(12))}%`;
}
