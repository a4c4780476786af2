// tools/wasm/relax_opcodes.mjs, the post-link step that gives clang 14's prototype f32x4.fma its
// standard opcode (f32x4.relaxed_madd): it must rewrite exactly the instructions, never bytes that
// only look like one inside an immediate, and refuse what it does not translate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { relaxOpcodes, relaxedSupported } from '../../tools/wasm/relax_opcodes.mjs';
import { ROOT } from './helpers.js';

const FMA_PROTO = [0xfd, 0xaf, 0x01]; // what clang 14 writes
const MADD = [0xfd, 0x85, 0x02]; // f32x4.relaxed_madd

const leb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];

/** A module exporting one function `run`: () -> f32 with the given body (locals: none), and a
 * memory of one page. */
function module(body) {
  const type = section(1, [1, 0x60, 0, 1, 0x7d]);
  const func = section(3, [1, 0]);
  const mem = section(5, [1, 0, 1]);
  const exp = section(7, [1, 3, 0x72, 0x75, 0x6e, 0, 0]);
  const code = [0, ...body, 0x0b];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...type, ...func, ...mem, ...exp,
    ...section(10, [1, ...leb(code.length), ...code])]);
}

const f32 = (x) => [...new Uint8Array(new Float32Array([x]).buffer)];
const v128f = (x) => [0xfd, 0x0c, ...f32(x), ...f32(x), ...f32(x), ...f32(x)];

// (2 * 3 + 5) lane 0, through the fma, with decoys: a v128.const and an i32.const whose immediate
// bytes spell the prototype opcode, and a load whose memarg does.
const DECOY_CONST = [0xfd, 0x0c, ...FMA_PROTO, ...FMA_PROTO, ...FMA_PROTO, ...FMA_PROTO, 0, 0, 0, 0];
const BODY = [
  ...DECOY_CONST, 0x1a, // v128.const (decoy bytes) drop
  0x41, 0xfd, 0xaf, 0x01, 0x1a, // i32.const 0x57fd (its LEB is fd af 01) drop
  0x41, 0x00, 0xfd, 0x00, 0x04, 0xfd, 0xaf, 0x01, 0x1a, // v128.load align=4 offset=0x57fd... drop
  ...v128f(2), ...v128f(3), ...v128f(5), ...FMA_PROTO, // a * b + c
  0xfd, 0x1f, 0x00, // f32x4.extract_lane 0
];

test('only the f32x4.fma instruction is rewritten, not look-alike immediates', () => {
  const bytes = module(BODY);
  const before = bytes.slice();
  assert.equal(relaxOpcodes(bytes), 1);
  const changed = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== before[i]) changed.push(i);
  const at = bytes.length - 1 /* end */ - 3 /* extract_lane */ - 3 /* the fma */;
  assert.deepEqual(changed, [at + 1, at + 2], 'exactly the two opcode bytes of the instruction');
  assert.deepEqual([...bytes.subarray(at, at + 3)], MADD);
  assert.equal(relaxOpcodes(bytes), 0, 'a second pass finds nothing left to rewrite');
});

test('the rewritten module computes a * b + c where relaxed SIMD is on', () => {
  const bytes = module(BODY);
  relaxOpcodes(bytes);
  const flag = relaxedSupported() ? [] : ['--experimental-wasm-relaxed-simd'];
  const script = 'const bytes = Buffer.from(process.argv[1], "base64");'
    + 'console.log(new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.run());';
  const r = spawnSync(process.execPath, [...flag, '-e', script, Buffer.from(bytes).toString('base64')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '11');
});

test('other prototype relaxed-SIMD opcodes and unknown opcodes are refused with the function and byte', () => {
  const swizzle = module([...v128f(1), ...v128f(2), 0xfd, 0xa2, 0x01, 0x1a, 0x43, ...f32(0)]);
  assert.throws(() => relaxOpcodes(swizzle), /function 0 at byte \d+: SIMD opcode 0xa2 is a prototype relaxed-SIMD instruction/);
  const unknown = module([0xff, 0x43, ...f32(0)]);
  assert.throws(() => relaxOpcodes(unknown), /function 0 at byte \d+: unknown opcode 0xff/);
  assert.throws(() => relaxOpcodes(new Uint8Array([1, 2, 3])), /not a wasm module/);
});

test('the command line empties a module it cannot rewrite, so no build can ship it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tetra-relax-'));
  try {
    const file = join(dir, 'm.wasm');
    writeFileSync(file, module([0x43, ...f32(0)])); // no fma at all
    const r = spawnSync(process.execPath, [`${ROOT}tools/wasm/relax_opcodes.mjs`, file], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /0 f32x4\.fma instructions rewritten, expected at least 1 \(file emptied\)/);
    assert.equal(readFileSync(file).length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('js/tetra-relaxed.wasm holds no prototype opcode and the relaxed instruction', () => {
  const bytes = new Uint8Array(readFileSync(`${ROOT}js/tetra-relaxed.wasm`));
  assert.equal(relaxOpcodes(bytes.slice()), 0, 'the build step rewrote every f32x4.fma');
  if (relaxedSupported()) assert.ok(WebAssembly.validate(bytes));
  else assert.equal(WebAssembly.validate(bytes), false, 'relaxed SIMD is off in this engine: the module must need it');
});
