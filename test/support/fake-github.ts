import { type CannedResponse, HttpRecorder, type RecordedRequest } from './http-recorder.js';

/**
 * A local stand-in for the parts of the GitHub REST API the actions call: deployments,
 * deployment statuses, environments and run approvals. It keeps state the way GitHub does
 * (ids, created_at, auto-inactive of earlier deployments) and records every request, so tests
 * assert on exactly what an action sent. Faults are queued with `fault()`.
 */
export interface FakeDeployment {
  id: number;
  node_id: string;
  url: string;
  statuses_url: string;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  environment: string;
  original_environment: string;
  description: string | null;
  creator: { login: string };
  created_at: string;
  updated_at: string;
  transient_environment: boolean;
  production_environment: boolean;
}

export interface FakeDeploymentStatus {
  id: number;
  url: string;
  state: string;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  target_url: string;
  creator: { login: string };
  created_at: string;
  deployment_url: string;
}

export interface FakeApproval {
  state: 'approved' | 'rejected';
  comment: string;
  user: { login: string };
  environments: { name: string }[];
}

const STATES = new Set(['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success']);

export class FakeGitHub {
  readonly deployments: FakeDeployment[] = [];
  readonly statuses = new Map<number, FakeDeploymentStatus[]>();
  readonly environments = new Map<string, Record<string, unknown>>();
  readonly approvals = new Map<string, FakeApproval[]>();
  readonly token = 'ghs_fake_token_for_tests';
  /** Set to make POST /deployments answer like an auto-merge (202) or a merge conflict (409). */
  deploymentCreateMode: 'created' | 'auto-merged' | 'conflict' = 'created';
  private readonly server = new HttpRecorder((request) => this.route(request));
  private nextId = 1000;

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  get url(): string {
    return this.server.url;
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  fault(path: RegExp, response: CannedResponse, options?: { method?: string; times?: number }): void {
    this.server.fault(path, response, options);
  }

  private route(request: RecordedRequest): CannedResponse {
    const auth = request.headers.authorization ?? '';
    if (!/^(token|Bearer) \S+/.test(auth)) {
      return { status: 401, body: { message: 'Requires authentication', status: '401' } };
    }
    const parts = request.path.split('/').filter(Boolean);
    if (parts[0] !== 'repos' || parts.length < 4) return notFound();
    const repo = `${parts[1]}/${parts[2]}`;
    const rest = parts.slice(3);
    const body = (request.json ?? {}) as Record<string, unknown>;

    if (rest[0] === 'deployments' && rest.length === 1) {
      if (request.method === 'POST') return this.createDeployment(repo, body);
      if (request.method === 'GET') return this.listDeployments(repo, request.query);
    }
    if (rest[0] === 'deployments' && rest.length === 2 && request.method === 'GET') {
      const deployment = this.deployments.find((d) => d.id === Number(rest[1]));
      return deployment ? { status: 200, body: deployment } : notFound();
    }
    if (rest[0] === 'deployments' && rest[2] === 'statuses') {
      const deployment = this.deployments.find((d) => d.id === Number(rest[1]));
      if (!deployment) return notFound();
      if (request.method === 'POST') return this.createStatus(repo, deployment, body);
      if (request.method === 'GET')
        return { status: 200, body: [...(this.statuses.get(deployment.id) ?? [])].reverse() };
    }
    if (rest[0] === 'environments' && rest.length === 2 && request.method === 'GET') {
      const environment = this.environments.get(decodeURIComponent(rest[1]!));
      return environment ? { status: 200, body: environment } : notFound();
    }
    if (rest[0] === 'actions' && rest[1] === 'runs' && rest[3] === 'approvals' && request.method === 'GET') {
      return { status: 200, body: this.approvals.get(rest[2]!) ?? [] };
    }
    return notFound();
  }

  private createDeployment(repo: string, body: Record<string, unknown>): CannedResponse {
    if (typeof body.ref !== 'string' || !body.ref) {
      return validationFailed('Deployment', 'ref', 'missing_field');
    }
    if (this.deploymentCreateMode === 'conflict') {
      return { status: 409, body: { message: `Conflict merging main into ${body.ref}.` } };
    }
    if (this.deploymentCreateMode === 'auto-merged') {
      return { status: 202, body: { message: `Auto-merged main into ${body.ref} on deployment.` } };
    }
    const id = this.nextId++;
    const environment = typeof body.environment === 'string' ? body.environment : 'production';
    const now = new Date().toISOString();
    const deployment: FakeDeployment = {
      id,
      node_id: `DE_${id}`,
      url: `${this.url}/repos/${repo}/deployments/${id}`,
      statuses_url: `${this.url}/repos/${repo}/deployments/${id}/statuses`,
      sha: /^[0-9a-f]{40}$/.test(body.ref as string) ? (body.ref as string) : 'a'.repeat(40),
      ref: body.ref as string,
      task: typeof body.task === 'string' ? body.task : 'deploy',
      payload: body.payload ?? {},
      environment,
      original_environment: environment,
      description: typeof body.description === 'string' ? body.description : null,
      creator: { login: 'github-actions[bot]' },
      created_at: now,
      updated_at: now,
      transient_environment: body.transient_environment === true,
      production_environment: body.production_environment ?? environment === 'production',
    } as FakeDeployment;
    this.deployments.push(deployment);
    this.statuses.set(id, []);
    return { status: 201, body: deployment };
  }

  private listDeployments(repo: string, query: URLSearchParams): CannedResponse {
    const matches = this.deployments
      .filter((d) => d.url.includes(`/repos/${repo}/`))
      .filter((d) => !query.get('environment') || d.environment === query.get('environment'))
      .filter((d) => !query.get('ref') || d.ref === query.get('ref'))
      .filter((d) => !query.get('sha') || d.sha === query.get('sha'))
      .filter((d) => !query.get('task') || d.task === query.get('task'))
      .reverse();
    return { status: 200, body: matches };
  }

  private createStatus(
    repo: string,
    deployment: FakeDeployment,
    body: Record<string, unknown>,
  ): CannedResponse {
    if (typeof body.state !== 'string' || !STATES.has(body.state)) {
      return validationFailed('DeploymentStatus', 'state', 'invalid');
    }
    const list = this.statuses.get(deployment.id)!;
    const status = this.makeStatus(repo, deployment, body);
    list.push(status);
    // GitHub marks earlier non-transient, non-production deployments to the same environment
    // inactive when a new one succeeds, unless auto_inactive is false.
    if (body.state === 'success' && body.auto_inactive !== false) {
      for (const other of this.deployments) {
        if (
          other.id !== deployment.id &&
          other.environment === deployment.environment &&
          !other.transient_environment &&
          !other.production_environment
        ) {
          const last = this.statuses.get(other.id)?.at(-1);
          if (last && last.state !== 'inactive') {
            this.statuses.get(other.id)!.push(this.makeStatus(repo, other, { state: 'inactive' }));
          }
        }
      }
    }
    return { status: 201, body: status };
  }

  private makeStatus(
    repo: string,
    deployment: FakeDeployment,
    body: Record<string, unknown>,
  ): FakeDeploymentStatus {
    const id = this.nextId++;
    const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
    return {
      id,
      url: `${this.url}/repos/${repo}/deployments/${deployment.id}/statuses/${id}`,
      state: body.state as string,
      description: text('description'),
      environment: text('environment') || deployment.environment,
      environment_url: text('environment_url'),
      log_url: text('log_url'),
      target_url: text('log_url') || text('target_url'),
      creator: { login: 'github-actions[bot]' },
      created_at: new Date().toISOString(),
      deployment_url: deployment.url,
    };
  }
}

function notFound(): CannedResponse {
  return {
    status: 404,
    body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
  };
}

function validationFailed(resource: string, field: string, code: string): CannedResponse {
  return {
    status: 422,
    body: { message: 'Validation Failed', errors: [{ resource, field, code }], status: '422' },
  };
}
