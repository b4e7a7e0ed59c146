import type { KObj } from './resources.js';

/**
 * What a simulated container image does once it runs: how long until Ready (or never), crash
 * loops and image pull failures (seen by the kubelet simulation), and what its HTTP endpoints
 * answer — `/health` status, `/ready`, error rate and latency (seen by app-sim's traffic and
 * metrics). Set per image (exact, glob with `*`, or RegExp); tag conventions and a pod
 * annotation give the same without code.
 */

export type HealthState = 'healthy' | 'degraded' | 'unhealthy';

export interface LatencyProfile {
  /** Median latency in ms. */
  p50Ms: number;
  /** 99th percentile latency in ms (log-normal spread between the two). */
  p99Ms: number;
}

export interface ImageBehaviour {
  /** Simulated ms from container start to Ready (default: the simulator's `podReadyDelayMs`). */
  readyDelayMs?: number;
  /** The container runs but its readiness probe never passes. */
  neverReady?: boolean;
  /** The container exits after starting: CrashLoopBackOff with a growing restartCount. */
  crashLoop?: boolean;
  /** The image cannot be pulled: ErrImagePull / ImagePullBackOff, phase Pending. */
  pullError?: boolean;
  /** `/health` status (503 when unhealthy). */
  health?: HealthState;
  /** `/ready` answer once Ready (default true; false gives 503). */
  ready?: boolean;
  /** Fraction of requests that fail, 0..1. */
  errorRate?: number;
  /** Status code of failed requests (default 500). */
  errorCode?: number;
  latency?: LatencyProfile;
}

export type ResolvedBehaviour = Required<Omit<ImageBehaviour, 'latency'>> & { latency: LatencyProfile };

/** Pod (template) annotation holding a JSON `ImageBehaviour` that overrides the image's. */
export const BEHAVIOUR_ANNOTATION = 'kube-sim.dev/behaviour';

const TAG_CONVENTIONS: [RegExp, ImageBehaviour][] = [
  [/never-?ready/, { neverReady: true }],
  [/crash-?loop/, { crashLoop: true }],
  [/pull-?error|does-not-exist/, { pullError: true }],
  [/unhealthy/, { health: 'unhealthy', ready: false }],
  [/degraded/, { health: 'degraded' }],
  [/errors?(-\d+)?$/, { errorRate: 0.2 }],
  [/slow/, { latency: { p50Ms: 800, p99Ms: 2500 } }],
];

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

export class BehaviourRegistry {
  private readonly rules: { match: (image: string) => boolean; behaviour: ImageBehaviour }[] = [];
  private readonly listeners = new Set<() => void>();

  private readonly defaults: ResolvedBehaviour;

  // A plain field rather than a parameter property: Node's type stripping runs this file as is.
  constructor(defaults: ResolvedBehaviour) {
    this.defaults = defaults;
  }

  /** Later calls win over earlier ones for the same image. */
  set(image: string | RegExp, behaviour: ImageBehaviour): void {
    const re = typeof image === 'string' ? (image.includes('*') ? globToRegExp(image) : undefined) : image;
    const match = re ? (i: string) => re.test(i) : (i: string) => i === image;
    this.rules.unshift({ match, behaviour });
    for (const l of this.listeners) l();
  }

  clear(): void {
    this.rules.length = 0;
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  forImage(image: string): ResolvedBehaviour {
    const out: ResolvedBehaviour = { ...this.defaults };
    const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
    for (const [re, b] of TAG_CONVENTIONS) if (tag && re.test(tag)) Object.assign(out, b);
    const rule = this.rules.find((r) => r.match(image));
    if (rule) Object.assign(out, rule.behaviour);
    return out;
  }

  /** A pod's behaviour: the worst of its containers' images, then the pod annotation. */
  forPod(pod: KObj): ResolvedBehaviour {
    const containers: KObj[] = pod.spec?.containers ?? [];
    const each = containers.map((c) => this.forImage(String(c.image ?? '')));
    const out: ResolvedBehaviour = each[0] ? { ...each[0] } : { ...this.defaults };
    for (const b of each.slice(1)) {
      out.neverReady ||= b.neverReady;
      out.crashLoop ||= b.crashLoop;
      out.pullError ||= b.pullError;
      out.readyDelayMs = Math.max(out.readyDelayMs, b.readyDelayMs);
      out.errorRate = Math.max(out.errorRate, b.errorRate);
      if (b.health === 'unhealthy' || (b.health === 'degraded' && out.health === 'healthy'))
        out.health = b.health;
    }
    const raw = pod.metadata?.annotations?.[BEHAVIOUR_ANNOTATION];
    if (raw) {
      try {
        Object.assign(out, JSON.parse(raw) as ImageBehaviour);
      } catch {
        // An unparsable annotation is ignored, as a real app would ignore an unknown one.
      }
    }
    return out;
  }
}
