// The published package, not the checkout: `npm pack` must ship the wasm, the typings and the
// Web Worker host, and a project that installs the tarball must resolve and load 'tetra',
// 'tetra/web/client.js' and 'tetra/web/worker.js' through package.json's "exports" (the README
// tells users to import them so). Needs npm but no network: the package has no dependencies, so
// `npm install --offline <tarball>` into a temporary project works on a closed machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT } from './helpers.js';
import { hasRelaxedSimd } from '../../js/index.js';

const SHIPPED = ['js/index.js', 'js/index.d.ts', 'js/tetra.wasm', 'js/tetra-relaxed.wasm', 'js/transformer.js', 'web/client.js', 'web/client.d.ts', 'web/worker.js', 'package.json', 'README.md'];

function npm(args, cwd, env = {}) {
  return execFileSync('npm', args, {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    // A private cache: the test neither reads nor fills the user's.
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...env },
  });
}

function hasNpm() {
  try {
    npm(['--version'], ROOT);
    return true;
  } catch {
    return false;
  }
}

test('npm pack ships web/, the typings and the wasm; an offline install resolves tetra and its web subpaths', { timeout: 60_000 }, (t) => {
  if (!hasNpm()) {
    if (process.env.CI) assert.fail('npm is not on PATH');
    t.skip('npm is not on PATH');
    return;
  }
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'tetra-pack-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { npm_config_cache: join(dir, 'npm-cache') };

  // What `npm publish` would upload.
  const [dry] = JSON.parse(npm(['pack', '--dry-run', '--json'], ROOT, env));
  const files = new Set(dry.files.map((f) => f.path));
  for (const file of SHIPPED) assert.ok(files.has(file), `npm pack leaves out ${file}`);
  assert.ok(![...files].some((f) => f.startsWith('tests/') || f.startsWith('src/') || f.startsWith('build/')), 'npm pack ships tests, sources or build output');
  t.diagnostic(`npm pack: ${files.size} files, ${(dry.size / 1024).toFixed(0)} KB packed, ${(dry.unpackedSize / 1024).toFixed(0)} KB unpacked`);

  // The tarball, installed into a fresh project with no network.
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], ROOT, env));
  const tarball = join(dir, packed.filename);
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npm(['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], app, env);
  const installed = join(app, 'node_modules', 'tetra');
  assert.ok(existsSync(join(installed, 'web', 'worker.js')), 'web/worker.js is not installed');

  // A child process in the project resolves through the installed package.json's "exports",
  // imports the worker client (its relative import of ../js/index.js must hold in the installed
  // layout) and loads the shipped wasm.
  const probe = `
    const resolved = {};
    for (const s of ['tetra', 'tetra/web/client.js', 'tetra/web/worker.js', 'tetra/tetra.wasm', 'tetra/tetra-relaxed.wasm']) resolved[s] = import.meta.resolve(s);
    let hidden = null;
    try { import.meta.resolve('tetra/tools/serve.mjs'); } catch (e) { hidden = e.code; }
    const tetra = await import('tetra');
    await tetra.init();
    const client = await import('tetra/web/client.js');
    console.log(JSON.stringify({ resolved, hidden, version: tetra.coreVersion(), simd: tetra.simdLevel(), client: typeof client.TetraWorker, transformer: typeof tetra.Transformer }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: app, encoding: 'utf8' }));
  // The same probe where relaxed SIMD is on loads the installed tetra-relaxed.wasm.
  const relaxedFlag = hasRelaxedSimd() ? [] : ['--experimental-wasm-relaxed-simd'];
  const relaxed = JSON.parse(execFileSync(process.execPath, [...relaxedFlag, '--input-type=module', '-e', probe], { cwd: app, encoding: 'utf8' }));
  assert.equal(relaxed.simd, 'relaxed', 'init() takes tetra-relaxed.wasm where relaxed SIMD is on');
  const base = `file://${installed}/`;
  assert.deepEqual(out.resolved, {
    'tetra': `${base}js/index.js`,
    'tetra/web/client.js': `${base}web/client.js`,
    'tetra/web/worker.js': `${base}web/worker.js`,
    'tetra/tetra.wasm': `${base}js/tetra.wasm`,
    'tetra/tetra-relaxed.wasm': `${base}js/tetra-relaxed.wasm`,
  });
  assert.equal(out.simd, relaxedFlag.length ? 'base' : 'relaxed', 'init() picks the build the engine supports');
  assert.equal(out.hidden, 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'files outside "exports" stay private');
  assert.match(out.version, /^\d+\.\d+\.\d+/);
  assert.equal(out.client, 'function');
  assert.equal(out.transformer, 'function');

  // TypeScript finds the typings of both entry points through "exports" (its "types" conditions).
  const tsc = `${ROOT}node_modules/typescript/bin/tsc`;
  if (!existsSync(tsc)) {
    t.diagnostic('typescript is not installed: the typings check through "exports" is skipped');
    return;
  }
  writeFileSync(join(app, 'check.ts'), [
    "import { init, Transformer } from 'tetra';",
    "import { TetraWorker } from 'tetra/web/client.js';",
    'export async function f(): Promise<number> {',
    '  await init();',
    '  const tetra = await TetraWorker.start();',
    "  const m = await tetra.loadTransformer({ config: '{}', weights: new Uint8Array(8) }, { transfer: true });",
    '  const v: Float32Array = await m.forward({ inputIds: [101, 102] });',
    '  return v.length + (Transformer.name.length);',
    '}',
  ].join('\n'));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', lib: ['es2022', 'dom'], strict: true, noEmit: true, types: [] },
    files: ['check.ts'],
  }));
  try {
    execFileSync(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { encoding: 'utf8' });
  } catch (error) {
    assert.fail(`tsc could not type the installed package:\n${error.stdout}${error.stderr}`);
  }
});
