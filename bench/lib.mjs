// Helpers shared by the benchmarks: loading a bench-only standalone wasm, and machine facts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * Instantiates a standalone (no JS glue) module. The only import that may be called is the
 * memory-growth notification; anything else the C library pulled in is a stub that fails loudly,
 * so a benchmark never measures a silently stubbed call.
 */
export async function instantiateStandalone(file) {
  const module = await WebAssembly.compile(readFileSync(file));
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') throw new Error(`bench: ${file} imports a ${imp.kind} (${imp.module}.${imp.name})`);
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = imp.name === 'emscripten_notify_memory_growth' ? () => {}
      : () => { throw new Error(`bench: ${file} called the import ${imp.module}.${imp.name}`); };
  }
  const instance = await WebAssembly.instantiate(module, imports);
  instance.exports._initialize?.();
  return instance.exports;
}

/** The CPU model from /proc/cpuinfo (virtual machines often give only the family). */
export function cpuModel() {
  try {
    const m = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m);
    if (m) return m[1].trim();
  } catch { /* not Linux */ }
  return os.cpus()[0]?.model || 'unknown';
}

/** The repository's short commit, or null outside a git checkout. */
export function gitCommit() {
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : null;
}
