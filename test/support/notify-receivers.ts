import { verifyGithubSignature256, verifyStandardWebhook } from '../../shared/webhook-signature.js';
import { type CannedResponse, HttpRecorder, type RecordedRequest } from './http-recorder.js';

/**
 * Local stand-ins for Slack, Microsoft Teams, PagerDuty and a signed generic webhook. Each
 * checks what it receives the way the real service does (shape, limits, credentials,
 * signatures) and answers as the real one would, so a test fails on a payload the service
 * would reject.
 */

export const SLACK_BOT_TOKEN = 'xoxb-1111-2222-testtokenvalue';
export const PAGERDUTY_ROUTING_KEY = 'R0UT1NGKEY0123456789ABCDEFGHIJKL';
export const WEBHOOK_SECRET = 'whsec_dGVzdC13ZWJob29rLXNlY3JldC1rZXk=';

function slackBlocksProblem(body: Record<string, unknown>): string | undefined {
  const blocks = body.blocks as Record<string, unknown>[] | undefined;
  if (typeof body.text !== 'string' || !body.text) return 'no_text';
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) return 'invalid_blocks';
  for (const block of blocks) {
    if (block.type === 'header' && (block.text as { text: string }).text.length > 150)
      return 'invalid_blocks';
    if (block.type === 'section') {
      const fields = block.fields as { text: string }[] | undefined;
      if (fields && (fields.length > 10 || fields.some((f) => f.text.length > 2000))) return 'invalid_blocks';
      const text = block.text as { text: string } | undefined;
      if (text && text.text.length > 3000) return 'invalid_blocks';
    }
  }
  return undefined;
}

export class SlackReceiver extends HttpRecorder {
  private nextTs = 1_700_000_000;
  constructor() {
    super((request) => this.answer(request));
  }

  get webhookUrl(): string {
    return `${this.url}/services/T000/B000/XXXXSECRETPATH`;
  }

  get apiUrl(): string {
    return `${this.url}/api`;
  }

  private answer(request: RecordedRequest): CannedResponse {
    const body = (request.json ?? {}) as Record<string, unknown>;
    if (request.path.startsWith('/services/')) {
      const problem = slackBlocksProblem(body);
      return problem ? { status: 400, body: problem } : { status: 200, body: 'ok' };
    }
    if (request.path === '/api/chat.postMessage') {
      if (request.headers.authorization !== `Bearer ${SLACK_BOT_TOKEN}`)
        return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      if (!body.channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
      const problem = slackBlocksProblem(body);
      if (problem) return { status: 200, body: { ok: false, error: problem } };
      return { status: 200, body: { ok: true, channel: 'C0123', ts: `${this.nextTs++}.000100` } };
    }
    return { status: 404, body: 'no_service' };
  }
}

export class TeamsReceiver extends HttpRecorder {
  constructor() {
    super((request) => {
      if (!request.path.startsWith('/workflows/'))
        return { status: 404, body: { error: { code: 'TriggerNotFound' } } };
      const body = request.json as {
        type?: string;
        attachments?: { contentType?: string; content?: { type?: string; version?: string } }[];
      };
      if (Buffer.byteLength(request.body) > 28 * 1024)
        return { status: 413, body: { error: 'payload too large' } };
      const card = body?.attachments?.[0];
      if (
        body?.type !== 'message' ||
        card?.contentType !== 'application/vnd.microsoft.card.adaptive' ||
        card.content?.type !== 'AdaptiveCard'
      ) {
        return { status: 400, body: { error: { code: 'InvalidRequestContent' } } };
      }
      return { status: 202, body: '' };
    });
  }

  get webhookUrl(): string {
    return `${this.url}/workflows/abc123/triggers/manual/paths/invoke?sig=SECRETSIG`;
  }
}

export class PagerDutyReceiver extends HttpRecorder {
  constructor() {
    super((request) => {
      const body = (request.json ?? {}) as Record<string, unknown>;
      if (body.routing_key !== PAGERDUTY_ROUTING_KEY)
        return {
          status: 400,
          body: {
            status: 'invalid event',
            message: 'Event object is invalid',
            errors: ['Invalid routing key'],
          },
        };
      if (request.path === '/v2/change/enqueue') {
        const payload = body.payload as { summary?: string; source?: string } | undefined;
        if (!payload?.summary || payload.summary.length > 1024)
          return { status: 400, body: { status: 'invalid event', errors: ['summary'] } };
        return { status: 202, body: { status: 'success', message: 'Change event processed' } };
      }
      if (request.path !== '/v2/enqueue') return { status: 404, body: {} };
      const errors: string[] = [];
      if (!['trigger', 'acknowledge', 'resolve'].includes(String(body.event_action)))
        errors.push("'event_action' is invalid");
      if (body.event_action === 'trigger') {
        const payload = body.payload as { summary?: string; source?: string; severity?: string } | undefined;
        if (!payload?.summary) errors.push("'payload.summary' is missing");
        else if (payload.summary.length > 1024) errors.push("'payload.summary' is too long");
        if (!payload?.source) errors.push("'payload.source' is missing");
        if (!['critical', 'error', 'warning', 'info'].includes(String(payload?.severity)))
          errors.push("'payload.severity' is invalid");
      } else if (!body.dedup_key) {
        errors.push("'dedup_key' is required for resolve");
      }
      if (errors.length)
        return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
      return {
        status: 202,
        body: { status: 'success', message: 'Event processed', dedup_key: body.dedup_key },
      };
    });
  }
}

export interface VerifiedDelivery {
  request: RecordedRequest;
  standardWebhooksValid: boolean;
  githubSignatureValid: boolean;
}

export class WebhookReceiver extends HttpRecorder {
  readonly secret: string;

  constructor(secret = WEBHOOK_SECRET) {
    super(() => ({ status: 204 }));
    this.secret = secret;
  }

  get hookUrl(): string {
    return `${this.url}/hooks/deploy?token=SECRETQUERY`;
  }

  verified(): VerifiedDelivery[] {
    return this.requests.map((request) => ({
      request,
      standardWebhooksValid: verifyStandardWebhook({
        secret: this.secret,
        id: String(request.headers['webhook-id']),
        timestamp: String(request.headers['webhook-timestamp']),
        signature: String(request.headers['webhook-signature']),
        body: request.body,
      }),
      githubSignatureValid: verifyGithubSignature256(
        this.secret,
        request.body,
        request.headers['x-hub-signature-256'] as string | undefined,
      ),
    }));
  }
}
