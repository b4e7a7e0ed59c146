import * as SPDX from '@cyclonedx/cyclonedx-library/SPDX';

/** How a declared licence string reads: an SPDX id, an SPDX expression, or free text. */
export type DeclaredLicense =
  | { kind: 'id'; value: string }
  | { kind: 'expression'; value: string }
  | { kind: 'name'; value: string };

const OPERATORS = new Set(['AND', 'OR', 'WITH']);

/** An expression whose every identifier is a known SPDX id (or a LicenseRef). */
function isSpdxExpression(text: string): boolean {
  if (!/\b(AND|OR|WITH)\b/.test(text)) return false;
  const tokens = text.replace(/[()]/g, ' ').split(/\s+/).filter(Boolean);
  return tokens.every(
    (token) =>
      OPERATORS.has(token) ||
      SPDX.isSupportedSpdxId(token.replace(/\+$/, '')) ||
      /^(DocumentRef-[\w.-]+:)?LicenseRef-[\w.-]+$/.test(token) ||
      // Exception ids after WITH, e.g. Classpath-exception-2.0.
      /-exception(-[\d.]+)?$/i.test(token),
  );
}

export function classifyLicense(raw: string | undefined): DeclaredLicense | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  const id = SPDX.fixupSpdxId(text);
  if (id) return { kind: 'id', value: id };
  // npm's old "(MIT OR Apache-2.0)" style wraps the whole expression in parentheses.
  if (isSpdxExpression(text)) return { kind: 'expression', value: text };
  return { kind: 'name', value: text };
}

/** The SPDX `licenseDeclared` value: an id or expression, else NOASSERTION. */
export function spdxLicenseField(raw: string | undefined): string {
  const license = classifyLicense(raw);
  return license && license.kind !== 'name' ? license.value : 'NOASSERTION';
}
