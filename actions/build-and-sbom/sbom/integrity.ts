/** Hash algorithms as CycloneDX names them, keyed by the Subresource Integrity prefix. */
const ALGORITHMS = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const;

export type HashAlgorithm = (typeof ALGORITHMS)[keyof typeof ALGORITHMS];

/** Hex digests from an SRI `integrity` string (`sha512-<base64> sha1-<base64>`); unknown algorithms are skipped. */
export function integrityHashes(integrity: string | undefined): Map<HashAlgorithm, string> {
  const out = new Map<HashAlgorithm, string>();
  if (!integrity) return out;
  for (const token of integrity.trim().split(/\s+/)) {
    const dash = token.indexOf('-');
    if (dash < 0) continue;
    const algorithm = ALGORITHMS[token.slice(0, dash) as keyof typeof ALGORITHMS];
    if (!algorithm || out.has(algorithm)) continue;
    // SRI allows `?options` after the digest.
    const base64 = token.slice(dash + 1).split('?')[0]!;
    const hex = Buffer.from(base64, 'base64').toString('hex');
    if (hex) out.set(algorithm, hex);
  }
  return out;
}
