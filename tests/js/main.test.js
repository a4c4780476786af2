// tools/main.mjs (the job behind `npm start`): --check loads the bundled model, verifies its SHA-256 and
// compares the bundled examples with XGBoost's probabilities, then exits without serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../tools/main.mjs', import.meta.url));

function run(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr }));
  });
}

test('node tools/main.mjs --check verifies the bundled model and its examples', async () => {
  const manifest = JSON.parse(await readFile(new URL('../../models/breast-cancer/1.0.0/manifest.json', import.meta.url), 'utf8'));
  const { examples } = JSON.parse(await readFile(new URL('../../models/breast-cancer/1.0.0/examples.json', import.meta.url), 'utf8'));
  const { code, stdout, stderr } = await run(['--check']);
  assert.equal(code, 0, `exit ${code}\n${stdout}\n${stderr}`);
  assert.ok(stdout.includes(`${manifest.name}@${manifest.version}`), `names the model version:\n${stdout}`);
  assert.ok(stdout.includes(manifest.files['model.json'].sha256), `prints the sha256:\n${stdout}`);
  assert.match(stdout, /60 gbtree trees/);
  for (const e of examples) assert.ok(stdout.includes(e.id), `reports example ${e.id}`);
  assert.match(stdout, new RegExp(`all ${examples.length} examples match XGBoost`));
  assert.doesNotMatch(stdout, /demo\s+http/, '--check does not serve');
});

test('node tools/main.mjs says clearly when its port is busy', async (t) => {
  const blocker = createServer();
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const { port } = blocker.address();
  const { code, stderr } = await run([], { PORT: String(port) });
  assert.notEqual(code, 0);
  assert.match(stderr, new RegExp(`port ${port} is already in use`));
});

test('node tools/main.mjs rejects unknown arguments', async () => {
  const { code, stderr } = await run(['--serve-forever']);
  assert.equal(code, 2);
  assert.match(stderr, /unknown argument --serve-forever/);
});
