// The main job behind `npm start`: load the bundled model with the Node API, verify its SHA-256,
// check tetra's probabilities against XGBoost's on the bundled examples, then serve the repository
// so the browser demo can be opened.
//
//   node tools/main.mjs            checks, then serves on PORT (default 8080)
//   node tools/main.mjs --check    checks only; exit 0 when everything matches (tests and CI)
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { init, Booster, TetraError, coreVersion } from '../js/index.js';
import { serve } from './serve.mjs';

const ROOT = new URL('..', import.meta.url);
const BUNDLE = 'models/breast-cancer/1.0.0/';
const DEMO_PATH = '/demos/xgboost/';
const TOLERANCE = 1e-6;

function usage() {
  return 'usage: node tools/main.mjs [--check]\n' +
    '  --check   load and verify the bundled model and its examples, then exit (no server)\n' +
    '  PORT      port to serve on (default 8080; 0 picks a free one)';
}

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

async function readJson(relative) {
  const url = new URL(relative, ROOT);
  let text;
  try {
    text = await readFile(url, 'utf8');
  } catch (cause) {
    fail(`cannot read ${fileURLToPath(url)} (${cause.code || cause.message})`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    fail(`${relative} is not valid JSON: ${cause.message}`);
  }
}

async function check() {
  await init();
  const manifest = await readJson(`${BUNDLE}manifest.json`);
  const examples = await readJson(`${BUNDLE}${manifest.examples || 'examples.json'}`);
  const entry = manifest.files?.['model.json'];
  if (!entry?.sha256) fail(`${BUNDLE}manifest.json has no files["model.json"].sha256`);

  const modelUrl = new URL(`${BUNDLE}model.json`, ROOT);
  const bytes = await readFile(modelUrl).catch((cause) => fail(`cannot read ${fileURLToPath(modelUrl)} (${cause.code})`));
  if (entry.bytes !== undefined && entry.bytes !== bytes.length) {
    fail(`${BUNDLE}model.json is ${bytes.length} bytes; the manifest says ${entry.bytes}`);
  }
  let booster;
  try {
    booster = Booster.fromXGBoost(bytes, { sha256: entry.sha256 });
  } catch (error) {
    if (error instanceof TetraError && error.code === 'TETRA_ERR_INTEGRITY') {
      fail(`${BUNDLE}model.json does not match its manifest: ${error.message}`);
    }
    fail(`cannot load ${BUNDLE}model.json: ${error.message}`);
  }

  try {
    const features = manifest.features?.length;
    if (features !== undefined && features !== booster.numFeatures) {
      fail(`the manifest lists ${features} features but the model has ${booster.numFeatures}`);
    }
    const version = booster.xgboostVersion ? booster.xgboostVersion.join('.') : 'unknown';
    console.log(`model    ${manifest.name}@${manifest.version} (${manifest.task})`);
    console.log(`sha256   ${booster.sha256} (verified against the manifest)`);
    console.log(`trees    ${booster.numTrees} ${booster.booster} trees, max depth ${booster.maxDepth}, ` +
      `${booster.numFeatures} features, ${booster.objective}, written by XGBoost ${version}`);
    console.log(`core     tetra ${coreVersion()} (wasm)`);

    const rows = examples.examples;
    if (!Array.isArray(rows) || rows.length === 0) fail(`${BUNDLE}examples.json has no examples`);
    const probabilities = booster.predict(rows.map((e) => e.values));
    const positive = manifest.output?.of_label ?? 'benign';
    console.log(`examples P(${positive}), tetra vs XGBoost ${manifest.framework?.version ?? ''}:`);
    let worst = 0;
    let exactCount = 0;
    const bad = [];
    rows.forEach((e, i) => {
      const ours = probabilities[i];
      const theirs = e.xgboost_probability;
      const diff = Math.abs(ours - theirs);
      worst = Math.max(worst, diff);
      const ok = diff <= TOLERANCE;
      if (!ok) bad.push(e.id);
      const missing = e.values.filter((v) => v === null).length;
      // XGBoost's value is stored with 9 significant digits, enough to name one float32 exactly.
      const exact = Math.fround(theirs) === ours;
      if (exact) exactCount++;
      console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${String(e.id).padEnd(9)} tetra ${ours.toPrecision(9)}  ` +
        `xgboost ${theirs.toPrecision(9)}  ${exact ? 'same float32' : `|diff| ${diff.toExponential(1)}`}  ` +
        `(true label ${e.label}, ${missing} missing)`);
    });
    if (bad.length) {
      fail(`${bad.length} of ${rows.length} examples differ from XGBoost by more than ${TOLERANCE}: ${bad.join(', ')}`);
    }
    console.log(`all ${rows.length} examples match XGBoost within ${TOLERANCE} ` +
      `(${exactCount} of ${rows.length} are the same float32; max |diff| ${worst.toExponential(1)})`);
  } finally {
    booster.free();
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage());
    return;
  }
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length) {
    console.error(`error: unknown argument ${unknown[0]}\n${usage()}`);
    process.exit(2);
  }

  await check();
  if (args.includes('--check')) return;

  const rawPort = process.env.PORT ?? '8080';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT must be a port number, not "${rawPort}"`);
  let url;
  try {
    ({ url } = await serve({ port }));
  } catch (error) {
    if (error.code === 'EADDRINUSE') {
      fail(`port ${port} is already in use on 127.0.0.1; stop what is using it or pick another, e.g. PORT=8081 npm start`);
    }
    if (error.code === 'EACCES') fail(`not allowed to listen on port ${port}; pick another, e.g. PORT=8081 npm start`);
    throw error;
  }
  console.log(`\ndemo     ${url}${DEMO_PATH}`);
  console.log('serving the repository on 127.0.0.1 (Ctrl+C to stop)');
}

main().catch((error) => {
  // A clear one-line message; the stack only when asked for (TETRA_DEBUG=1).
  console.error(`error: ${process.env.TETRA_DEBUG ? error?.stack : error?.message ?? error}`);
  process.exit(1);
});
