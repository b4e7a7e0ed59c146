import { parseArgs } from 'node:util';
import { errorMessage } from '../errors.js';
import { readTimeline, renderTimelineMarkdown, renderTimelineText } from './timeline.js';
import { type VerifyOptions, type VerifyResult, verifyAuditFile } from './verify.js';

export const USAGE = `Usage: deploy-audit-verify <file> [--hmac-key-env NAME] [--expect-last-hash HEX] [--expect-count N] [--json] [--timeline | --markdown]

Verifies the hash chain of a deployment audit log (JSONL).
  --hmac-key-env NAME      read the HMAC key from environment variable NAME; every record must carry a valid HMAC
  --expect-last-hash HEX   the audithash the last record must have (detects a cut or extended end)
  --expect-count N         the number of records the log must hold
  --json                   print the result as JSON
  --timeline               after the result, print what the log records, one line per event
  --markdown               after the result, print that timeline as a Markdown table

Exit status: 0 the chain is intact, 1 it was tampered with, 2 usage or read error.`;

export const EXIT_OK = 0;
export const EXIT_TAMPERED = 1;
export const EXIT_USAGE = 2;

export interface VerifyCommandIo {
  env?: NodeJS.ProcessEnv;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

class UsageError extends Error {}

type Story = 'none' | 'text' | 'markdown';

/** Runs `deploy-audit-verify` with `argv` (without node and script); resolves to the exit status. */
export async function runVerifyCommand(argv: readonly string[], io: VerifyCommandIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => process.stderr.write(text));

  let file: string;
  let options: VerifyOptions;
  let json: boolean;
  let story: Story;
  try {
    ({ file, options, json, story } = parseCommandLine(argv, env));
  } catch (error) {
    if (error instanceof UsageError && error.message === 'help') {
      stdout(`${USAGE}\n`);
      return EXIT_OK;
    }
    stderr(`deploy-audit-verify: ${errorMessage(error)}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }

  let result: VerifyResult;
  try {
    result = await verifyAuditFile(file, options);
  } catch (error) {
    stderr(`deploy-audit-verify: cannot read ${file}: ${errorMessage(error)}\n`);
    return EXIT_USAGE;
  }
  stdout(json ? `${JSON.stringify({ file, ...result })}\n` : `${describe(file, result)}\n`);
  if (story !== 'none') {
    // Printed for a tampered log too: the reader needs to see what the damaged log claims.
    const entries = await readTimeline(file);
    stdout(`${story === 'markdown' ? renderTimelineMarkdown(entries) : renderTimelineText(entries)}\n`);
  }
  return result.ok ? EXIT_OK : EXIT_TAMPERED;
}

function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { file: string; options: VerifyOptions; json: boolean; story: Story } {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('help');
  if (positionals.length !== 1) throw new UsageError('expected exactly one audit log file');
  const options: VerifyOptions = {};
  const keyEnv = values['hmac-key-env'];
  if (keyEnv !== undefined) {
    const key = env[keyEnv];
    if (!key) throw new UsageError(`--hmac-key-env: environment variable ${keyEnv} is not set or empty`);
    options.hmacKey = key;
  }
  const lastHash = values['expect-last-hash'];
  if (lastHash !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(lastHash))
      throw new UsageError('--expect-last-hash: expected 64 hex digits');
    options.expectLastHash = lastHash.toLowerCase();
  }
  const count = values['expect-count'];
  if (count !== undefined) {
    if (!/^\d+$/.test(count)) throw new UsageError('--expect-count: expected a non-negative integer');
    options.expectCount = Number(count);
  }
  if (values.timeline && values.markdown) throw new UsageError('--timeline and --markdown: choose one');
  if ((values.timeline || values.markdown) && values.json)
    throw new UsageError('--json prints only the result; leave out --timeline/--markdown');
  const story: Story = values.timeline ? 'text' : values.markdown ? 'markdown' : 'none';
  return { file: positionals[0]!, options, json: values.json ?? false, story };
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'hmac-key-env': { type: 'string' },
      'expect-last-hash': { type: 'string' },
      'expect-count': { type: 'string' },
      json: { type: 'boolean' },
      timeline: { type: 'boolean' },
      markdown: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function describe(file: string, result: VerifyResult): string {
  if (result.ok) {
    const hmac = result.hmacChecked ? ', HMAC checked' : '';
    return `OK ${file}: ${result.records} record${result.records === 1 ? '' : 's'} verified${hmac}; last hash ${result.lastHash}`;
  }
  const problem = result.problem!;
  const seq = problem.seq === undefined ? '' : ` (seq ${problem.seq})`;
  return `TAMPERED ${file}: line ${problem.line}${seq}: ${problem.kind}: ${problem.message}`;
}
