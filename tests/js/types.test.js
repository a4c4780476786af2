// The TypeScript declarations compile against real usage and reject misuse (tests/types/usage.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ROOT } from './helpers.js';

test('js/index.d.ts type-checks tests/types/usage.ts with tsc --strict', (t) => {
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
  for (const file of [pkg.types, pkg.exports['.'].types, pkg.exports['.'].default, pkg.main]) {
    assert.ok(existsSync(`${ROOT}${file}`), `${file} is missing`);
  }
});
