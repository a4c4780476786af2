// The TypeScript declarations compile against real usage and reject misuse (tests/types/usage.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ROOT } from './helpers.js';

test('js/index.d.ts and web/client.d.ts type-check tests/types/usage.ts and web_usage.ts with tsc --strict', (t) => {
  const tsc = `${ROOT}node_modules/typescript/bin/tsc`;
  if (!existsSync(tsc)) {
    t.skip('typescript is not installed (npm install --ignore-scripts)');
    return;
  }
  try {
    execFileSync(process.execPath, [tsc, '-p', `${ROOT}tests/types/tsconfig.json`], { encoding: 'utf8' });
  } catch (error) {
    assert.fail(`tsc reported errors:\n${error.stdout}${error.stderr}`);
  }
});

test('package.json points types and exports at the shipped files', async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
  assert.equal(pkg.type, 'module');
  // Every target of every "exports" entry (conditions included), plus main and types.
  const targets = Object.values(pkg.exports).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v)));
  for (const file of [pkg.types, pkg.main, ...targets]) {
    assert.ok(existsSync(`${ROOT}${file}`), `${file} is missing`);
  }
  assert.equal(pkg.exports['./web/client.js']?.types, './web/client.d.ts', 'the worker client is exported with its typings');
  assert.equal(pkg.exports['./web/worker.js'], './web/worker.js');
});
