// Compiles the TypeScript with tsc, then bundles each action's entry points with ncc into
// dist/<name>/ (index.js, and post.js when the action has a post step), copying any file a
// bundle loads at run time next to it. dist/ is rebuilt from scratch so a removed action or
// asset cannot linger.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ncc from '@vercel/ncc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build');
const distDir = join(root, 'dist');

/** Bundles that are not actions: command-line tools shipped with the suite. */
const tools = [{ name: 'audit-verify', entries: { index: 'shared/audit/verify-cli.ts' }, assets: [] }];

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    rmSync(join(root, `tsconfig.partial-${process.pid}.json`), { force: true });
    process.exit(result.status ?? 1);
  }
}

function actionBundles() {
  const actionsDir = join(root, 'actions');
  if (!existsSync(actionsDir)) return [];
  return readdirSync(actionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(actionsDir, entry.name, 'action.yml')))
    .map((entry) => {
      const dir = join('actions', entry.name);
      const entries = { index: join(dir, 'main.ts') };
      if (existsSync(join(root, dir, 'post.ts'))) entries.post = join(dir, 'post.ts');
      // Files a bundle reads at run time (wasm, schemas) are listed beside the action.
      const assetsFile = join(root, dir, 'bundle-assets.json');
      const assets = existsSync(assetsFile) ? JSON.parse(readFileSync(assetsFile, 'utf8')) : [];
      return { name: entry.name, entries, assets };
    });
}

const only = process.argv.slice(2);
const bundles = [...actionBundles(), ...tools].filter((b) => only.length === 0 || only.includes(b.name));

// A full build compiles the whole project; `npm run build -- <name>` compiles only what that
// bundle imports (over the same build/ paths, so the bundle comes out identical), so work
// elsewhere in the tree cannot break it.
const compiledDir = buildDir;
if (only.length === 0) {
  rmSync(buildDir, { recursive: true, force: true });
  run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json']);
} else {
  const tsconfig = join(root, `tsconfig.partial-${process.pid}.json`);
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: './tsconfig.build.json',
      compilerOptions: { outDir: relative(root, compiledDir), rootDir: '.' },
      include: [],
      files: bundles.flatMap((b) => Object.values(b.entries)),
    }),
  );
  try {
    run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', tsconfig]);
  } finally {
    rmSync(tsconfig, { force: true });
  }
}

if (only.length === 0) rmSync(distDir, { recursive: true, force: true });
for (const bundle of bundles) {
  const outDir = join(distDir, bundle.name);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [entryName, source] of Object.entries(bundle.entries)) {
    if (!existsSync(join(root, source))) {
      console.error(`${bundle.name}: entry ${source} does not exist`);
      process.exit(1);
    }
    const compiled = join(compiledDir, source.replace(/\.ts$/, '.js'));
    const { code, assets } = await ncc(compiled, {
      minify: false,
      sourceMap: false,
      quiet: true,
      license: `${entryName}.licenses.txt`,
      target: 'es2024',
    });
    writeFileSync(join(outDir, `${entryName}.js`), code);
    for (const [assetName, asset] of Object.entries(assets ?? {})) {
      const target = join(outDir, assetName);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, asset.source);
    }
  }
  for (const asset of bundle.assets) {
    cpSync(join(root, asset), join(outDir, basename(asset)), { recursive: true });
  }
  console.log(
    `built dist/${bundle.name}: ${Object.keys(bundle.entries).join(', ')}${bundle.assets.length ? ` + ${bundle.assets.length} asset(s)` : ''}`,
  );
}
console.log(`${bundles.length} bundle(s) in ${relative(root, distDir)}/`);
