import { UserError } from '../../shared/errors.js';
import { getBoolean, getEnum, getInteger, getList, getString } from '../../shared/inputs.js';
import { registerSecret } from '../../shared/secrets.js';
import { BUILDER_MODES, type BuilderMode } from './builder/choose.js';
import { normalizeImageName, registryOf } from './metadata/image-name.js';
import type { LatestMode } from './metadata/tags.js';
import { SBOM_FORMATS, type SbomFormat } from './sbom/formats.js';

/** Everything the action was given, read and checked once. */
export interface BuildInputs {
  /** Normalised (lower-case, valid characters) repository name. */
  image: string;
  /** The name as given, when normalising changed it. */
  imageAsGiven: string;
  context: string;
  file?: string;
  target?: string;
  version?: string;
  extraTags: string[];
  latest: LatestMode;
  extraLabels: Record<string, string>;
  push: boolean;
  builder: BuilderMode;
  buildArgs: Record<string, string>;
  /** Build secrets: id → value (masked). */
  secrets: Record<string, string>;
  /** Build secrets already in files: id → path. */
  secretFiles: Record<string, string>;
  platforms: string[];
  cacheFrom: string[];
  cacheTo: string[];
  registry: string;
  username?: string;
  password?: string;
  insecureRegistry: boolean;
  pushAttempts: number;
  lockfile?: string;
  sbomFormats: SbomFormat[];
  sbomPath?: string;
  includeDev: boolean;
  provenance: boolean;
  /** Sign the provenance and store it as a GitHub attestation. */
  attest: boolean;
  environment?: string;
  configPath?: string;
  auditLog?: string;
  buildahStorageDriver?: string;
  buildahIsolation: string;
}

/** Lines of `KEY=VALUE`; values keep commas and `=` (build args often hold both). */
function keyValueLines(name: string, options: { secret?: boolean } = {}): Record<string, string> {
  const raw = getString(name);
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  raw.split(/\r?\n/).forEach((line, index) => {
    if (!line.trim() || line.trim().startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!key || !/^[A-Za-z0-9_.-]+$/.test(key)) {
      // Never echo the line of a secret input: it holds the value.
      const shown = options.secret ? '' : `: ${JSON.stringify(line)}`;
      throw new UserError(`input "${name}" line ${index + 1}: expected KEY=VALUE${shown}`);
    }
    const value = line.slice(eq + 1);
    if (options.secret) registerSecret(value);
    out[key] = value;
  });
  return out;
}

function newlineList(name: string): string[] {
  return (getString(name) ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function readInputs(): BuildInputs {
  const imageAsGiven = getString('image', { required: true });
  const image = normalizeImageName(imageAsGiven);
  const registry = getString('registry') ?? registryOf(image);
  const password = getString('password');
  if (password) registerSecret(password);
  const username = getString('username');
  if (password && !username) throw new UserError('input "password" needs "username"');
  const insecureRegistry = getBoolean('insecure-registry', false);
  const listed = getList('sbom-format');
  const formats = listed.includes('none') ? [] : listed;
  for (const format of formats) {
    if (!(SBOM_FORMATS as readonly string[]).includes(format)) {
      throw new UserError(
        `input "sbom-format": "${format}" is not a format; expected some of ${SBOM_FORMATS.join(', ')}`,
      );
    }
  }
  const provenance = getBoolean('provenance', true);
  const attest = getBoolean('attest', false);
  if (attest && !provenance) {
    throw new UserError('input "attest" signs the provenance statement, so it needs "provenance: true"');
  }
  return {
    image,
    imageAsGiven,
    context: getString('context') ?? '.',
    file: getString('file'),
    target: getString('target'),
    version: getString('version'),
    extraTags: getList('tags'),
    latest: getEnum('latest', ['auto', 'true', 'false'] as const) ?? 'auto',
    extraLabels: keyValueLines('labels'),
    push: getBoolean('push', true),
    builder: getEnum('builder', BUILDER_MODES) ?? 'auto',
    buildArgs: keyValueLines('build-args'),
    secrets: keyValueLines('secrets', { secret: true }),
    secretFiles: keyValueLines('secret-files'),
    platforms: getList('platforms'),
    cacheFrom: newlineList('cache-from'),
    cacheTo: newlineList('cache-to'),
    registry,
    username,
    password,
    // Certificate checks are only ever skipped for a registry on this machine or one declared insecure.
    insecureRegistry: insecureRegistry || isLoopback(registryOf(image)),
    pushAttempts: getInteger('push-attempts', { min: 1, max: 20 }) ?? 5,
    lockfile: getString('lockfile'),
    sbomFormats: (listed.length ? [...new Set(formats)] : [...SBOM_FORMATS]) as SbomFormat[],
    sbomPath: getString('sbom-path'),
    includeDev: getBoolean('include-dev', false),
    provenance,
    attest,
    environment: getString('environment'),
    configPath: getString('config'),
    auditLog: getString('audit-log'),
    buildahStorageDriver: getString('buildah-storage-driver'),
    buildahIsolation: getString('buildah-isolation') ?? 'chroot',
  };
}
