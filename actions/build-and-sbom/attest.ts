import { UserError } from '../../shared/errors.js';

/**
 * `attest: true` asks for the provenance to be signed (Sigstore, with the job's OIDC token) and
 * stored as a GitHub attestation. Both checks here run before anything is built: a build that
 * cannot be attested should not be pushed first and refused after.
 */

/** The runner sets these only when the job has `permissions: id-token: write`. */
const OIDC_VARIABLES = ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'] as const;

export function assertCanAttest(env: NodeJS.ProcessEnv): void {
  const missing = OIDC_VARIABLES.filter((name) => !env[name]);
  if (missing.length) {
    throw new UserError(
      `input "attest" needs the job permission "id-token: write" to sign the provenance (${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set); add to the job: permissions: { id-token: write, attestations: write, contents: read }`,
    );
  }
  // Signing and the upload to the attestations API go through @actions/attest, which this build
  // does not include; saying so now beats failing after the push.
  throw new UserError(
    'input "attest": signing is not available in this version of build-and-sbom; set "attest: false" and sign the "provenance" output with actions/attest-build-provenance',
  );
}
