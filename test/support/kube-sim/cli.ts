import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { type KubeSim, startKubeSim } from './index.js';

/**
 * The simulator on its own, for demos and for trying the actions or kubectl by hand. Started by
 * `kube-sim.mjs` (which lets Node 24 run these TypeScript sources as they are); prints the
 * kubeconfig path, the API URL and the metrics URL, and stops on Ctrl-C (SIGINT) or SIGTERM.
 */

export const USAGE = `Usage: kube-sim [options]

  --port <n>               API server port (default: a free one)
  --namespace <name>       namespace to create and put in the kubeconfig context (default: default)
  --clock-speed <n>        simulated ms per real ms (default: 1)
  --tls                    serve https with a throwaway CA in the kubeconfig (needed by kubectl)
  --kubeconfig <path>      where to write the kubeconfig (default: a temporary file)
  --token <token>          bearer token to accept (default: random)
  --pod-ready-delay <ms>   simulated ms from container start to Ready (default: 500)
  --metrics-port <n>       port of the simulated apps and /metrics (default: a free one)
  --prometheus-config <p>  write a Prometheus config that scrapes the metrics URL to <p>
  -h, --help               show this help
`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function numberFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} wants a non-negative number, got "${value}"`);
  return n;
}

/** A Prometheus configuration with one job that scrapes the simulator's metrics. */
export function prometheusConfig(metricsUrl: string): string {
  const url = new URL(metricsUrl);
  return stringify({
    global: { scrape_interval: '5s', evaluation_interval: '5s' },
    scrape_configs: [
      {
        job_name: 'kube-sim',
        metrics_path: url.pathname,
        static_configs: [{ targets: [url.host] }],
      },
    ],
  });
}

/**
 * Starts the simulator from command-line arguments. Resolves with the process exit code once a
 * signal has stopped it (or at once, for `--help` and bad arguments).
 */
export async function main(
  argv: string[],
  io: CliIo = defaultIo,
  signals: NodeJS.EventEmitter = process,
): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        namespace: { type: 'string' },
        'clock-speed': { type: 'string' },
        tls: { type: 'boolean' },
        kubeconfig: { type: 'string' },
        token: { type: 'string' },
        'pod-ready-delay': { type: 'string' },
        'metrics-port': { type: 'string' },
        'prometheus-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.err(`kube-sim: ${(error as Error).message}`);
    io.err(USAGE);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }

  let sim: KubeSim;
  try {
    const str = (name: string) => values[name] as string | undefined;
    sim = await startKubeSim({
      port: numberFlag(str('port'), '--port'),
      namespace: str('namespace'),
      clockSpeed: numberFlag(str('clock-speed'), '--clock-speed'),
      tls: values.tls === true,
      kubeconfigPath: str('kubeconfig'),
      token: str('token'),
      podReadyDelayMs: numberFlag(str('pod-ready-delay'), '--pod-ready-delay'),
      appPort: numberFlag(str('metrics-port'), '--metrics-port'),
    });
  } catch (error) {
    io.err(`kube-sim: ${(error as Error).message}`);
    return 1;
  }

  const prometheusPath = values['prometheus-config'] as string | undefined;
  if (prometheusPath) writeFileSync(prometheusPath, prometheusConfig(sim.metricsUrl));

  io.out(`kube-sim: API server  ${sim.url}`);
  io.out(`kube-sim: kubeconfig  ${sim.kubeconfigPath}`);
  io.out(`kube-sim: metrics     ${sim.metricsUrl}`);
  io.out(`kube-sim: namespace   ${sim.namespace}, clock x${sim.clock.speed}`);
  if (prometheusPath) io.out(`kube-sim: prometheus  prometheus --config.file=${prometheusPath}`);
  if (!values.tls) io.out('kube-sim: (plain http: kubectl needs --tls to send its token)');
  io.out(`export KUBECONFIG=${sim.kubeconfigPath}`);
  io.out('kube-sim: ready; Ctrl-C stops it');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
      io.out(`kube-sim: ${signal}, stopping`);
      sim.stop().then(
        () => {
          io.out('kube-sim: stopped');
          resolve(0);
        },
        (error: unknown) => {
          io.err(`kube-sim: stop failed: ${(error as Error).message}`);
          resolve(1);
        },
      );
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    signals.on('SIGINT', onInt);
    signals.on('SIGTERM', onTerm);
  });
}
