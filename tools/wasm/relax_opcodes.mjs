// Rewrites the relaxed-SIMD instructions that Debian's clang 14 emits into the opcodes the
// finished relaxed-SIMD proposal (and every engine that ships it) uses, in place.
//
// Why: clang 14 knows relaxed SIMD only as the 2021 prototype. Its __builtin_wasm_fma_f32x4
// computes a * b + c (checked: f(2, 3, 5) = 11) and is encoded 0xfd 0xaf 0x01, a number the
// proposal later gave up; the standard f32x4.relaxed_madd, with the same operands and meaning, is
// 0xfd 0x85 0x02 (0x105). Both LEB128 encodings are two bytes, so the rewrite changes no size and
// no offset. Only that one instruction is rewritten; any other prototype opcode is refused, so a
// source change that reaches for another relaxed builtin fails the build instead of producing a
// module that decodes differently.
//
// The code section is walked instruction by instruction with the immediates of every opcode
// (MVP, sign extension, saturating truncation, bulk memory, reference types, SIMD), so bytes
// inside immediates (constants, shuffle masks, offsets) are never mistaken for opcodes; an opcode
// outside those sets is an error naming the function and byte offset.
//
//   node tools/wasm/relax_opcodes.mjs file.wasm [--expect-min N]   rewrites file.wasm in place
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PROTOTYPE_FMA = 0xaf; // clang 14 / LLVM 14: f32x4.fma (prototype relaxed SIMD)
const RELAXED_MADD = 0x105; // the standard f32x4.relaxed_madd
// The other prototype relaxed opcodes of LLVM 14 that sit in holes of the final SIMD table:
// refused (f32x4.fms, f64x2.fma/fms, relaxed lane selects, min/max, truncations, swizzle).
const PROTOTYPE_OTHER = new Set([0xa2, 0xa5, 0xa6, 0xb0, 0xb2, 0xb3, 0xb4, 0xc5, 0xc6, 0xcf, 0xd0,
  0xd2, 0xd3, 0xd4, 0xe2, 0xee]);
// Holes of the final SIMD opcode table (no base instruction); the prototype ones are listed above.
const SIMD_HOLES = new Set([0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2,
  0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee]);
const VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

class Reader {
  constructor(bytes, pos, end, where) {
    this.b = bytes;
    this.pos = pos;
    this.end = end;
    this.where = where;
  }

  fail(msg) { throw new Error(`relax_opcodes: ${this.where()} at byte ${this.pos}: ${msg}`); }

  byte() {
    if (this.pos >= this.end) this.fail('unexpected end');
    return this.b[this.pos++];
  }

  /** An unsigned or signed LEB128 of at most maxBytes bytes; returns the unsigned value. */
  leb(maxBytes = 5) {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (!(byte & 0x80)) return value;
    }
    return this.fail(`LEB128 longer than ${maxBytes} bytes`);
  }

  skip(n) {
    if (this.pos + n > this.end) this.fail('unexpected end');
    this.pos += n;
  }

  memarg() { this.leb(); this.leb(); }
}

function blockType(r) {
  const first = r.b[r.pos];
  if (first === 0x40 || VALTYPES.has(first)) r.pos++;
  else r.leb(5); // s33 type index
}

/** Decodes one instruction at r.pos; returns { simd } (the SIMD sub-opcode and where it starts)
 * when it is a 0xfd instruction, else null. */
function instruction(r) {
  const op = r.byte();
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b) return null;
  if (op >= 0x02 && op <= 0x04) { blockType(r); return null; }
  if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12) { r.leb(); return null; }
  if (op === 0x0e) { // br_table
    const n = r.leb();
    for (let i = 0; i <= n; i++) r.leb();
    return null;
  }
  if (op === 0x11 || op === 0x13) { r.leb(); r.leb(); return null; }
  if (op === 0x1c) { const n = r.leb(); r.skip(n); return null; } // select with types
  if (op >= 0x20 && op <= 0x26) { r.leb(); return null; }
  if (op >= 0x28 && op <= 0x3e) { r.memarg(); return null; }
  if (op === 0x3f || op === 0x40) { r.byte(); return null; }
  if (op === 0x41) { r.leb(5); return null; }
  if (op === 0x42) { r.leb(10); return null; }
  if (op === 0x43) { r.skip(4); return null; }
  if (op === 0x44) { r.skip(8); return null; }
  if (op >= 0x45 && op <= 0xc4) return null;
  if (op === 0xd0) { r.byte(); return null; }
  if (op === 0xd1) return null;
  if (op === 0xd2) { r.leb(); return null; }
  if (op === 0xfc) {
    const sub = r.leb();
    if (sub <= 7) return null;
    if (sub === 8) { r.leb(); r.byte(); return null; }
    if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) { r.leb(); return null; }
    if (sub === 10) { r.byte(); r.byte(); return null; }
    if (sub === 11) { r.byte(); return null; }
    if (sub === 12 || sub === 14) { r.leb(); r.leb(); return null; }
    return r.fail(`unknown opcode 0xfc ${sub}`);
  }
  if (op === 0xfd) {
    const at = r.pos;
    const sub = r.leb();
    if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) r.memarg();
    else if (sub === 0x0c || sub === 0x0d) r.skip(16);
    else if (sub >= 0x15 && sub <= 0x22) r.byte();
    else if (sub >= 0x54 && sub <= 0x5b) { r.memarg(); r.byte(); }
    else if (sub > 0xff && sub !== RELAXED_MADD) r.fail(`SIMD opcode 0x${sub.toString(16)} is not expected here`);
    return { simd: sub, at, end: r.pos };
  }
  return r.fail(`unknown opcode 0x${op.toString(16)}`);
}

/**
 * Rewrites bytes (a Uint8Array holding a whole module) in place; returns the number of
 * instructions rewritten.
 */
export function relaxOpcodes(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((v, i) => bytes[i] !== v)) throw new Error('relax_opcodes: not a wasm module (version 1)');
  let count = 0;
  let importedFunctions = 0;
  const top = new Reader(bytes, 8, bytes.length, () => 'module');
  while (top.pos < bytes.length) {
    const id = top.byte();
    const size = top.leb();
    const start = top.pos;
    const end = start + size;
    if (end > bytes.length) top.fail(`section ${id} runs past the end of the file`);
    if (id === 2) importedFunctions = countFunctionImports(new Reader(bytes, start, end, () => 'import section'));
    if (id === 10) count += rewriteCode(bytes, start, end, importedFunctions);
    top.pos = end;
  }
  return count;
}

function countFunctionImports(r) {
  let functions = 0;
  const n = r.leb();
  for (let i = 0; i < n; i++) {
    r.skip(r.leb()); // module name
    r.skip(r.leb()); // field name
    const kind = r.byte();
    if (kind === 0) { r.leb(); functions++; } // function: type index
    else if (kind === 1) { r.byte(); limits(r); } // table: reftype, limits
    else if (kind === 2) limits(r); // memory
    else if (kind === 3) { r.byte(); r.byte(); } // global: valtype, mutability
    else r.fail(`unknown import kind ${kind}`);
  }
  return functions;
}

function limits(r) {
  const flags = r.byte();
  r.leb();
  if (flags & 1) r.leb();
}

function rewriteCode(bytes, start, end, importedFunctions) {
  let count = 0;
  const section = new Reader(bytes, start, end, () => 'code section');
  const n = section.leb();
  for (let f = 0; f < n; f++) {
    const size = section.leb();
    const bodyEnd = section.pos + size;
    const where = () => `function ${importedFunctions + f}`;
    const r = new Reader(bytes, section.pos, bodyEnd, where);
    const groups = r.leb();
    for (let g = 0; g < groups; g++) { r.leb(); r.byte(); }
    while (r.pos < bodyEnd) {
      const ins = instruction(r);
      if (!ins) continue;
      if (ins.simd === PROTOTYPE_FMA) {
        if (ins.end - ins.at !== 2) r.fail('f32x4.fma with a padded opcode encoding');
        bytes[ins.at] = 0x80 | (RELAXED_MADD & 0x7f);
        bytes[ins.at + 1] = RELAXED_MADD >> 7;
        count++;
      } else if (PROTOTYPE_OTHER.has(ins.simd) || SIMD_HOLES.has(ins.simd)) {
        r.pos = ins.at;
        r.fail(`SIMD opcode 0x${ins.simd.toString(16)} is a prototype relaxed-SIMD instruction (or a hole) this tool does not translate`);
      }
    }
    if (bytes[bodyEnd - 1] !== 0x0b) r.fail('function body does not end with `end`');
    section.pos = bodyEnd;
  }
  return count;
}

/** Whether this engine accepts f32x4.relaxed_madd (the probe js/wasm.js uses too). */
export function relaxedSupported() {
  return WebAssembly.validate(RELAXED_PROBE);
}

// (module (func (param v128) (result v128) local.get 0 local.get 0 local.get 0 f32x4.relaxed_madd))
export const RELAXED_PROBE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x06, 0x01, 0x60, 0x01, 0x7b, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x00, 0x20, 0x00, 0xfd, 0x85, 0x02, 0x0b]);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node tools/wasm/relax_opcodes.mjs file.wasm [--expect-min N]');
    process.exit(2);
  }
  const min = rest[0] === '--expect-min' ? Number(rest[1]) : 1;
  // On any failure the file is emptied: the build step fails, and no stale or half-made module
  // is left where a later, "up to date" build or js/wasm.js would pick it up.
  const fail = (message) => {
    writeFileSync(file, new Uint8Array(0));
    console.error(`relax_opcodes: ${file}: ${message} (file emptied)`);
    process.exit(1);
  };
  const bytes = new Uint8Array(readFileSync(file));
  let count = 0;
  try {
    count = relaxOpcodes(bytes);
  } catch (error) {
    fail(error.message);
  }
  if (count < min) fail(`${count} f32x4.fma instructions rewritten, expected at least ${min}`);
  writeFileSync(file, bytes);
  // Compile the result where relaxed SIMD is on: in this process if it is, else in a child with
  // Node 20's flag. A module that fails here must not be left for js/wasm.js to find.
  const check = 'new WebAssembly.Module(require("fs").readFileSync(process.argv[1]))';
  const args = relaxedSupported() ? ['-e', check, file] : ['--experimental-wasm-relaxed-simd', '-e', check, file];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) fail(`does not compile after the rewrite:\n${r.stderr}`);
  console.error(`relax_opcodes: ${file}: ${count} f32x4.fma -> f32x4.relaxed_madd; compiles`);
}
