import type { Audit } from '../../shared/audit/index.js';
import type { EnvironmentConfig } from '../../shared/config/index.js';
import type { KubeClient } from '../../shared/kube/client.js';
import type { ReleaseState, Strategy, TrafficMode } from '../../shared/kube/release-state.js';
import type { Target } from './config.js';
import type { DeployInputs } from './inputs.js';
import type { ManifestDoc } from './manifests.js';

/** Faults met and handled along the way, reported in the summary and the audit trail. */
export interface FaultCounters {
  retries: number;
  conflicts: number;
  watchResumes: number;
  watchRelists: number;
}

/** What the post step needs to restore stable traffic if the job is cancelled mid-change. */
export interface Guard {
  strategy: Strategy;
  namespace: string;
  deployment: string;
  service?: string;
  holder: string;
  /** True once the main step reached a safe end (done, failed and rolled back, or refused). */
  settled: boolean;
}

export interface StrategyContext {
  client: KubeClient;
  inputs: DeployInputs;
  target: Target;
  config: EnvironmentConfig;
  docs: ManifestDoc[];
  audit: Audit;
  signal: AbortSignal;
  holder: string;
  faults: FaultCounters;
  /** Objects whose lease this run holds, released at the end. */
  leases: string[];
  /** Timeline lines for the log and the summary. */
  note: (message: string) => void;
  /** Records the guard for the post step. */
  guard: (guard: Guard) => void;
}

/** How a canary's traffic share was set, and what it came to. */
export interface CanaryTraffic {
  mode: TrafficMode;
  /** The weight the step asked for. */
  requested: number;
  /** The weight actually in effect (replica ratio rounds to whole pods). */
  achieved: number;
  /** The object that carries the weight (canary Ingress or HTTPRoute). */
  via?: string;
  /** Replica ratio: pods of each track. */
  canaryReplicas?: number;
  stableReplicas?: number;
}

export interface DeployResult {
  strategy: Strategy;
  phase: ReleaseState['phase'];
  revision?: string;
  previousRevision?: string;
  image?: string;
  previousImage?: string;
  activeColor?: string;
  canaryWeight?: number;
  canaryTraffic?: CanaryTraffic;
  remainingSteps: number[];
  url?: string;
  state?: ReleaseState;
  /** First deployment of this workload (service.deployed) rather than an upgrade. */
  firstDeploy: boolean;
  /** Set when the change was rolled back after a failure. */
  rolledBack?: { reason: string; detail: string };
}

/** A rollout or verification that failed: the release may be rolled back. */
export class DeployFailure extends Error {
  override readonly name = 'DeployFailure';
  constructor(
    message: string,
    readonly partial: Omit<DeployResult, 'phase' | 'remainingSteps'> & { remainingSteps?: number[] },
  ) {
    super(message);
  }
}
