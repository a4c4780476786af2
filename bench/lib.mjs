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

/**
 * Runs a build or generator step (emcc, python3) in the repository; returns its stdout, or throws
 * with `what` (what the step needs) and the end of its stderr. NODE_PATH defaults to Debian's
 * /usr/share/nodejs, which emcc's JS step needs for acorn.
 */
export function runTool(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20,
    env: { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs' } });
  if (r.error) throw new Error(`bench: cannot run ${cmd} (${r.error.code || r.error.message}); ${what}`);
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} failed (${what}):\n${r.stderr.slice(-3000)}`);
  return r.stdout;
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

/**
 * A benchmark's command line. `options` maps each option's name (without the dashes) to
 * [key in the result, kind], kind being 'int' (a positive integer), 'number' (a positive number),
 * 'string', 'on' / 'off' (a flag that sets the key to true / false), a list of the allowed
 * strings, or a function turning the text into the value (and throwing when it is bad). Values
 * come as `--name value` or `--name=value`; -h and --help print `usage` and exit; anything else
 * is an error that names the argument.
 */
export function parseBenchArgs(argv, defaults, options, usage) {
  const opts = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      console.log(`usage: ${usage}`);
      process.exit(0);
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : null;
    const spec = name !== null && Object.hasOwn(options, name) ? options[name] : null;
    if (!spec) throw new Error(`bench: unknown argument ${arg} (usage: ${usage})`);
    const [key, kind] = spec;
    if (kind === 'on' || kind === 'off') {
      if (eq >= 0) throw new Error(`bench: --${name} takes no value`);
      opts[key] = kind === 'on';
      continue;
    }
    const text = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (text === undefined) throw new Error(`bench: --${name} needs a value`);
    if (kind === 'string') opts[key] = text;
    else if (kind === 'int' || kind === 'number') {
      const n = Number(text);
      if (!(n > 0) || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
        throw new Error(`bench: --${name} needs a positive ${kind === 'int' ? 'integer' : 'number'}, not ${JSON.stringify(text)}`);
      }
      opts[key] = n;
    } else if (Array.isArray(kind)) {
      if (!kind.includes(text)) throw new Error(`bench: --${name} takes ${kind.join(', ')}, not ${JSON.stringify(text)}`);
      opts[key] = text;
    } else opts[key] = kind(text);
  }
  return opts;
}

/**
 * A warning line when the load average says other processes competed for the CPUs during a run
 * that started at `loadStart` (os.loadavg()), else null.
 */
export function loadWarning(loadStart) {
  const loadEnd = os.loadavg()[0];
  if (loadStart[0] <= 0.7 && loadEnd <= 1.7) return null;
  return `WARNING: load average ${loadStart[0].toFixed(2)} at start, ${loadEnd.toFixed(2)} at end: other processes were competing for this machine's ${os.cpus().length} CPUs; absolute figures are unreliable, the same-round ratios less so. Re-run when idle.`;
}

/** "1x128,8x128" as [[1, 128], [8, 128]] (batch x sequence). */
export function batchShapes(text) {
  return text.split(',').map((s) => {
    const v = s.split('x').map(Number);
    if (v.length !== 2 || !v.every((x) => Number.isInteger(x) && x > 0)) throw new Error(`bench: bad shape ${s} (want BxS)`);
    return v;
  });
}
