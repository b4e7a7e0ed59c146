/** What every builder is asked to do. */
export interface BuildRequest {
  /** Normalised repository name, e.g. ghcr.io/org/app. */
  image: string;
  tags: readonly string[];
  context: string;
  file?: string;
  target?: string;
  platforms: readonly string[];
  buildArgs: Readonly<Record<string, string>>;
  labels: Readonly<Record<string, string>>;
  /** Build secrets as id → file holding the value (mode 0600, removed after the build). */
  secretFiles: Readonly<Record<string, string>>;
  cacheFrom: readonly string[];
  cacheTo: readonly string[];
  push: boolean;
  /** Plain HTTP / unverified TLS, allowed only for loopback or declared-insecure registries. */
  insecureRegistry: boolean;
  credentials?: { registry: string; username: string; password: string };
  /** Scratch space for digest files and auth files. */
  workDir: string;
  signal?: AbortSignal;
}

export interface BuildResult {
  /** Manifest digest (sha256:…) of the built image, before it is pushed. */
  localDigest?: string;
}

export interface PushResult {
  /** Manifest digest the registry holds. */
  digest: string;
  /** Tags the registry accepted, in order. */
  pushedTags: string[];
}

export interface Builder {
  readonly name: 'docker' | 'buildah';
  build(request: BuildRequest): Promise<BuildResult>;
  /** Pushes every tag; throws PushError naming the tags already pushed when it cannot finish. */
  push(request: BuildRequest): Promise<PushResult>;
}

export const DIGEST = /^sha256:[0-9a-f]{64}$/;
