// Shared set-up for the browser tests: serve the repository on a free port, launch Debian's
// Chromium through playwright-core, collect page problems, and clean up when the test ends.
import { existsSync } from 'node:fs';
import { serve } from '../../tools/serve.mjs';

export const CHROMIUM = process.env.TETRA_CHROMIUM || '/usr/bin/chromium';
// No background networking: this machine's network is closed and Chromium would keep trying.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];

/**
 * Starts the server and the browser for test t. When Chromium or playwright-core is missing it
 * skips t with a visible reason and returns null, except under CI (CI set), where the set-up
 * installs both and their absence is a failure. Server and browser are closed after t.
 */
export async function openBrowser(t) {
  const unavailable = (reason) => {
    if (process.env.CI) throw new Error(`browser test cannot run in CI: ${reason}`);
    t.skip(reason);
    return null;
  };
  if (!existsSync(CHROMIUM)) {
    return unavailable(`Chromium not found at ${CHROMIUM} (install Debian's chromium or set TETRA_CHROMIUM)`);
  }
  let playwright;
  try {
    playwright = await import('playwright-core');
  } catch {
    return unavailable('npm playwright-core is not installed (npm install --ignore-scripts)');
  }
  const { server, url } = await serve({ port: 0 });
  let browser = null;
  t.after(async () => {
    await browser?.close();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });
  browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  return { browser, url };
}

/** Records console errors, uncaught exceptions, failed requests and HTTP errors of a page. */
export function watchProblems(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return problems;
}
