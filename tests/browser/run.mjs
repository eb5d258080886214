#!/usr/bin/env node
// The browser run: the built app in Debian Chromium, against the REAL plugin backend.
//
//   npm run test:browser                 # build, start the devhost, drive Chromium, report
//   npm run test:browser -- --docs       # also refresh docs/screenshots/ from the steps that passed
//   npm run test:browser -- --no-build   # reuse dist/, the host bundle and the Go binaries
//
// It builds dist/ (npm run build), the host bundle (npm run build:host), the plugin executable
// and cmd/kubedoor-devhost; starts the devhost (plugin backend on the embedded ClickHouse engine,
// Prometheus with peak history, a local Kubernetes cluster); then runs tests/browser/steps.mjs as
// Admin, Editor and Viewer, saving a screenshot per step under test-results/screenshots/.
//
// A step whose backend route does not exist yet (404 "no route …": the route's branch is not
// merged) is reported as "backend missing", not failed; KUBEDOOR_UI_REQUIRE_BACKEND=1 fails those
// too. Exit status: 0 when nothing failed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { steps } from './steps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = new Set(process.argv.slice(2));
const results = path.join(root, 'test-results');
const shots = path.join(results, 'screenshots');
const docsShots = path.join(root, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Flags verified on these machines (TESTBED.md §4): headless as root, no background traffic.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function log(msg) {
  console.log(`[browser] ${msg}`);
}

function run(cmd, cmdArgs, opts = {}) {
  const t0 = Date.now();
  log(`$ ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status})`);
  }
  log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

/** Chromium from Debian; installed with apt-get when missing and running as root. */
function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) {
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`${CHROMIUM} is missing: run \`sudo apt-get install -y chromium\` (or set CHROMIUM)`);
  }
  log('installing Debian chromium');
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function build() {
  fs.mkdirSync(path.join(root, '.cache', 'browser'), { recursive: true });
  run('npm', ['run', 'build']);
  run('npm', ['run', 'build:host']);
  const env = { ...process.env, CGO_ENABLED: '0' };
  run('go', ['build', '-o', '.cache/browser/gpx_kubedoor', './pkg'], { env });
  run('go', ['build', '-o', '.cache/browser/kubedoor-devhost', './cmd/kubedoor-devhost'], { env });
}

async function startDevhost() {
  const ready = path.join(os.tmpdir(), `kubedoor-devhost-${process.pid}.ready`);
  fs.rmSync(ready, { force: true });
  const out = fs.openSync(path.join(results, 'devhost.log'), 'w');
  const child = spawn(
    path.join(root, '.cache/browser/kubedoor-devhost'),
    [
      '--plugin',
      '.cache/browser/gpx_kubedoor',
      '--addr',
      process.env.DEVHOST_ADDR ?? '127.0.0.1:0',
      '--ready-file',
      ready,
    ],
    { cwd: root, stdio: ['ignore', out, out] }
  );
  // If the run itself is stopped (Ctrl-C, a CI timeout), the devhost must not outlive it: on
  // SIGTERM it stops its Kubernetes, Prometheus and plugin processes.
  process.on('exit', () => child.exitCode === null && child.kill('SIGTERM'));
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => process.exit(130));
  }
  const deadline = Date.now() + 15 * 60_000; // a cold Kubernetes binary build is ~10 minutes
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the devhost exited (${child.exitCode}); see test-results/devhost.log`);
    }
    if (fs.existsSync(ready)) {
      return { child, url: fs.readFileSync(ready, 'utf8').trim() };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGTERM');
  throw new Error('the devhost did not become ready in 15 minutes; see test-results/devhost.log');
}

async function stopDevhost(child) {
  if (child.exitCode !== null) {
    return;
  }
  child.kill('SIGTERM');
  await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 30_000))]);
  if (child.exitCode === null) {
    child.kill('SIGKILL');
  }
}

/** Runs one step in a fresh browser context with the step's role; never throws. */
async function runStep(browser, step, url) {
  const started = Date.now();
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, baseURL: url });
  await context.addCookies([
    { name: 'kd_role', value: step.role, url },
    { name: 'kd_user', value: step.role.toLowerCase(), url },
  ]);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  let outcome;
  try {
    outcome = (await step.run(page, { url })) ?? { status: 'pass' };
    if (pageErrors.length > 0) {
      outcome = { status: 'fail', detail: `uncaught errors in the page: ${pageErrors.join(' | ')}` };
    }
  } catch (err) {
    outcome = { status: 'fail', detail: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
  const file = path.join(shots, `${step.name}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  if (args.has('--docs') && step.docs && outcome.status === 'pass') {
    fs.mkdirSync(docsShots, { recursive: true });
    fs.copyFileSync(file, path.join(docsShots, `${step.name}.png`));
  }
  await context.close();
  log(`${outcome.status.padEnd(15)} ${step.name} (${step.role}) ${outcome.detail ?? ''}`);
  return { ...step, ...outcome, seconds: (Date.now() - started) / 1000 };
}

async function main() {
  const t0 = Date.now();
  fs.mkdirSync(shots, { recursive: true });
  ensureChromium();
  if (!args.has('--no-build')) {
    build();
  }
  const { child, url } = await startDevhost();
  log(`devhost at ${url}`);
  const outcomes = [];
  let browser;
  // Whatever fails from here on (Chromium not starting included), the devhost and its parts stop.
  try {
    // playwright gives every launch a fresh, empty profile (the --user-data-dir of TESTBED.md §4).
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    for (const step of steps) {
      outcomes.push(await runStep(browser, step, url));
    }
  } finally {
    await browser?.close();
    await stopDevhost(child);
  }

  const requireBackend = process.env.KUBEDOOR_UI_REQUIRE_BACKEND === '1';
  const failed = outcomes.filter((o) => o.status === 'fail' || (requireBackend && o.status === 'backend missing'));
  const summary = outcomes.map((o) => ({
    step: o.name,
    role: o.role,
    status: o.status,
    seconds: o.seconds,
    detail: o.detail ?? '',
  }));
  fs.writeFileSync(path.join(results, 'browser-summary.json'), JSON.stringify(summary, null, 2));
  const count = (s) => outcomes.filter((o) => o.status === s).length;
  log(
    `${outcomes.length} steps: ${count('pass')} passed, ${count('backend missing')} backend missing, ${count('fail')} failed ` +
      `in ${((Date.now() - t0) / 1000).toFixed(0)}s; screenshots in test-results/screenshots/`
  );
  process.exit(failed.length > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(`[browser] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
