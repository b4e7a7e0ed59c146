import type { KubeClient } from './client.js';
import type { Service } from './objects.js';
import { paths } from './paths.js';
import { type Colour, type ReleaseState, statePatch } from './release-state.js';

/** The label that tells the colours apart; the live Service selects on it (seed 004). */
export const COLOUR_LABEL = 'version';

export function colourDeployment(base: string, colour: Colour): string {
  return `${base}-${colour}`;
}

export function otherColour(colour: Colour): Colour {
  return colour === 'blue' ? 'green' : 'blue';
}

export function liveColour(service: Service | undefined): Colour | undefined {
  const value = service?.spec?.selector?.[COLOUR_LABEL];
  return value === 'blue' || value === 'green' ? value : undefined;
}

/**
 * Points the live Service at a colour and records the new state in the same patch, so the
 * selector and the recorded active colour can never disagree.
 */
export async function switchServiceTo(
  client: KubeClient,
  namespace: string,
  service: string,
  colour: Colour,
  state: ReleaseState,
): Promise<void> {
  await client.mergePatch(
    paths.service(namespace, service),
    statePatch(state, { spec: { selector: { [COLOUR_LABEL]: colour } } }),
  );
}
