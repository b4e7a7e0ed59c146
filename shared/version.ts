/** The suite's version, recorded in every audit event; kept equal to package.json by a test. */
export const SUITE_VERSION = '0.1.0';
