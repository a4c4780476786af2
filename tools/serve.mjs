// A small static file server for the demos and the browser tests: serves the repository root on
// 127.0.0.1 with the right MIME types (application/wasm lets browsers compile while downloading).
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8', '.ts': 'text/plain; charset=utf-8',
};

/** Starts the server; resolves to { server, url } once listening. port 0 picks a free port. */
export function serve({ port = 8080, host = '127.0.0.1', root = ROOT, quiet = true } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) throw Object.assign(new Error('outside root'), { status: 403 });
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] || 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-cache',
      });
      createReadStream(file).pipe(res);
      if (!quiet) console.log(`${req.method} ${path} 200`);
    } catch (error) {
      const status = error.status || (error.code === 'ENOENT' ? 404 : 500);
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${status}\n`);
      if (!quiet) console.log(`${req.method} ${req.url} ${status}`);
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({ server, url: `http://${host}:${actual}` });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT || process.argv[2] || 8080);
  const { url } = await serve({ port, quiet: false });
  console.log(`serving ${ROOT} at ${url}/`);
}
