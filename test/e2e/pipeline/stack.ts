import { FakeGitHub } from '../../support/fake-github.js';
import { type KubeSim, startKubeSim } from '../../support/kube-sim/index.js';
import { PagerDutyReceiver, SlackReceiver } from '../../support/notify-receivers.js';
import { type PostgresCluster, startPostgres } from '../../support/postgres.js';
import { PrometheusServer } from '../../support/prometheus.js';

/**
 * Everything a deployment pipeline talks to, started on 127.0.0.1: the Kubernetes API
 * simulator with its simulated applications, a real PostgreSQL, a real Prometheus scraping the
 * simulated applications' `/metrics` every second, Slack and PagerDuty receivers and a fake
 * GitHub API whose `production` environment has required reviewers.
 */
export interface Stack {
  sim: KubeSim;
  postgres: PostgresCluster;
  prometheus: PrometheusServer;
  slack: SlackReceiver;
  pagerduty: PagerDutyReceiver;
  github: FakeGitHub;
  /** What was started, for a reader who wants to know what the run used. */
  describe(): string[];
  stop(): Promise<void>;
}

export const REVIEWER = 'clinical-release-board';
export const APPROVER = 'dr-amara-okafor';

export async function startStack(): Promise<Stack> {
  const stopping: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stopping.reverse()) await step().catch(() => undefined);
  };
  try {
    // Pods become ready quickly so a rollout takes a second, not minutes; the traffic and the
    // metrics run in real time because Prometheus scrapes in real time.
    const sim = await startKubeSim({
      podReadyDelayMs: 300,
      podStartDelayMs: 50,
      seed: 20261122,
      // An API's usual spread: most requests fast, a tail of slow ones for the P95/P99 to see.
      defaultBehaviour: { latency: { p50Ms: 30, p99Ms: 300 } },
    });
    stopping.push(() => sim.stop());
    const started = async <T extends { start(): Promise<unknown> }>(server: T) => {
      await server.start();
      return server;
    };
    const prometheus = new PrometheusServer();
    const [postgres, , slack, pagerduty, github] = await Promise.all([
      startPostgres(),
      prometheus.scrape([sim.metricsUrl], 1),
      started(new SlackReceiver()),
      started(new PagerDutyReceiver()),
      started(new FakeGitHub()),
    ]);
    stopping.push(
      () => postgres.stop(),
      () => prometheus.stop(),
      () => slack.stop(),
      () => pagerduty.stop(),
      () => github.stop(),
    );
    github.environments.set('production', {
      name: 'production',
      protection_rules: [
        { type: 'required_reviewers', reviewers: [{ type: 'Team', reviewer: { slug: REVIEWER } }] },
      ],
    });
    await prometheus.waitScraped();
    return {
      sim,
      postgres,
      prometheus,
      slack,
      pagerduty,
      github,
      describe: () => [
        `Kubernetes API simulator ${sim.url} (simulated applications and /metrics at ${sim.appUrl})`,
        `PostgreSQL ${postgres.host}:${postgres.port} (a throwaway cluster made with initdb)`,
        `Prometheus ${prometheus.url} scraping ${sim.metricsUrl} every second`,
        `Slack webhook receiver ${slack.url}, PagerDuty Events API receiver ${pagerduty.url}`,
        `GitHub API stand-in ${github.url} (environment "production" requires ${REVIEWER})`,
      ],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
