// Benchmark of the audit trail: append N events to a hash-chained JSONL log (HMAC on), then
// verify it, reporting events/s and peak RSS per phase. Each phase runs in its own process so
// its peak RSS is its own. Verification also runs on a 10x smaller log to show that memory
// does not grow with the number of events.
//
// It runs the compiled JavaScript, so build first (Node 24, from the repository root):
//   npx tsc -p tsconfig.build.json && npx node test/bench/audit.bench.mjs [--events 1000000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const build = new URL('../../build/shared/audit/', import.meta.url);
const HMAC_KEY = 'bench-hmac-key-0123456789abcdef';

const { values } = parseArgs({
  options: {
    phase: { type: 'string' },
    file: { type: 'string' },
    events: { type: 'string', default: '1000000' },
    durability: { type: 'string', default: 'write' },
    shape: { type: 'string', default: 'compact' },
    'no-hmac': { type: 'boolean', default: false },
  },
});

if (values.phase === 'append') {
  report(await append(values.file, Number(values.events), values.durability, values.shape));
} else if (values.phase === 'verify') {
  report(await verify(values.file, !values['no-hmac']));
} else {
  await main(Number(values.events));
}

function report(result) {
  result.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
  console.log(JSON.stringify(result));
}

async function main(events) {
  const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  const file = (name) => join(dir, name);
  try {
    const small = events / 10;
    const rows = [
      [`append ${events}`, phase(['append', file('big.jsonl'), events])],
      [`verify ${events}`, phase(['verify', file('big.jsonl')])],
      [`verify ${events}, no HMAC`, phase(['verify', file('big.jsonl')], ['--no-hmac'])],
      [`append ${small}`, phase(['append', file('small.jsonl'), small])],
      [`verify ${small}`, phase(['verify', file('small.jsonl')])],
      [`append ${events} CDEvents`, phase(['append', file('cd.jsonl'), events], ['--shape', 'cdevents'])],
      [`verify ${events} CDEvents`, phase(['verify', file('cd.jsonl')])],
      ['append 2000, fsync each', phase(['append', file('sync.jsonl'), 2000], ['--durability', 'fsync'])],
    ];
    console.log(`node ${process.version}; HMAC on unless noted`);
    for (const [name, r] of rows) {
      const size = r.avgBytes ? `, ${r.avgBytes} B/event` : '';
      const failed = r.ok === false ? ' VERIFY FAILED' : '';
      console.log(
        `${name.padEnd(30)} ${String(r.eventsPerSecond).padStart(8)} events/s  ${String(r.seconds).padStart(6)} s  peak RSS ${r.peakRssMiB} MiB${size}${failed}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function phase([name, path, events = 0], extra = []) {
  const args = [
    fileURLToPath(import.meta.url),
    '--phase',
    name,
    '--file',
    path,
    '--events',
    String(events),
    ...extra,
  ];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${name} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1));
}

/**
 * `compact`: project events of 600–900 bytes with a lean scope (who, where, outcome, a few
 * details). `cdevents`: the CDEvents builders with a full runner scope, about 1.8 KB each.
 */
async function append(file, events, durability, shape) {
  const { AuditLog } = await import(new URL('audit-log.js', build).href);
  const { serviceDeployed, taskRunFinished, ociPurl } = await import(new URL('cdevents.js', build).href);
  const { projectEvent } = await import(new URL('project-event.js', build).href);
  const run = {
    actor: 'jane-doe',
    triggeringActor: 'release-bot',
    repository: 'caresync/patient-portal',
    sha: '3f2a9c1d0b7e4f5a6c8d9e0f1a2b3c4d5e6f7a8b',
    runId: '9876543210',
    runAttempt: '1',
    runUrl: 'https://github.com/caresync/patient-portal/actions/runs/9876543210/attempts/1',
  };
  const action = { name: 'deploy-strategy', version: '1.4.2' };
  const lean = {
    action,
    run: { actor: run.actor, repository: run.repository, runUrl: run.runUrl },
    environment: 'production',
  };
  const full = {
    action,
    run: { ...run, ref: 'refs/heads/main', workflow: 'Deploy production', job: 'deploy', eventName: 'push' },
    environment: 'production',
    cluster: 'prod-eu-west-1',
    namespace: 'patient-portal',
    approvers: ['alice-lead', 'bob-sre'],
  };
  const digest = 'sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427';
  const artifactId = ociPurl('ghcr.io/caresync/patient-portal:1.4.2', digest);
  const log = AuditLog.open(file, { hmacKey: HMAC_KEY, durability });
  const start = process.hrtime.bigint();
  for (let i = 0; i < events; i++) {
    let event;
    if (shape === 'compact') {
      const odd = i % 2 === 1;
      event = projectEvent(lean, {
        thing: odd ? 'traffic' : 'migration',
        verb: odd ? 'shifted' : 'applied',
        subject: odd ? 'patient-portal-api' : `V${i % 500}__add_insurance_number`,
        outcome: i % 17 ? 'success' : 'failure',
        version: `1.4.${i % 100}`,
        details: odd
          ? { weight: (i % 5) * 25, step: i % 5 }
          : { statements: 1 + (i % 12), durationMs: i % 9000 },
      });
    } else {
      const facts = { version: `1.4.${i % 100}`, digest, image: 'ghcr.io/caresync/patient-portal' };
      event =
        i % 2
          ? serviceDeployed(full, {
              ...facts,
              service: 'patient-portal-api',
              artifactId,
              details: { step: i % 5 },
            })
          : taskRunFinished(full, { ...facts, outcome: 'success' });
    }
    log.append(event);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  log.close();
  return {
    phase: 'append',
    events,
    seconds: round(seconds),
    eventsPerSecond: Math.round(events / seconds),
    avgBytes: Math.round(statSync(file).size / events),
  };
}

async function verify(file, hmac) {
  const { verifyAuditFile } = await import(new URL('verify.js', build).href);
  const start = process.hrtime.bigint();
  const result = await verifyAuditFile(file, hmac ? { hmacKey: HMAC_KEY } : {});
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    phase: 'verify',
    ok: result.ok,
    events: result.records,
    seconds: round(seconds),
    eventsPerSecond: Math.round(result.records / seconds),
  };
}

function round(n) {
  return Math.round(n * 100) / 100;
}
