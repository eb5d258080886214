// The browser run's provisioned-dashboard steps: each dashboard (provisioning/dashboards) is
// opened as a Viewer in the host's dashboard view, waits until every panel has answered through
// the app's datasource, and passes when a panel has data and no query met a missing route.
import { expect, open } from './page.mjs';

export const dashboardSteps = [
  'kubedoor-cluster',
  'kubedoor-top',
  'kubedoor-namespaces',
  'kubedoor-workload',
  'kubedoor-savings',
  'kubedoor-nodes',
].map((uid) => ({
  name: `dashboard-${uid.replace('kubedoor-', '')}`,
  role: 'Viewer',
  docs: true,
  async run(page) {
    const vars = uid === 'kubedoor-workload' ? '?var-namespace=shop&var-workload=checkout' : '';
    await open(page, `/d/${uid}${vars}`, `host-dashboard-${uid}`);
    const board = page.getByTestId(`host-dashboard-${uid}`);
    // Every panel has answered once it shows data, "No data" or an error.
    await page.waitForFunction(
      (sel) => {
        const board = document.querySelector(sel);
        if (board?.textContent?.includes('Variables could not be resolved')) {
          return true;
        }
        const panels = [...(board?.querySelectorAll('[data-testid^="host-panel-"]') ?? [])];
        return panels.length > 0 && panels.every((p) => p.dataset.state === 'done');
      },
      `[data-testid="host-dashboard-${uid}"]`,
      { timeout: 120_000 }
    );
    const text = await board.innerText();
    if (text.includes('Variables could not be resolved')) {
      return text.includes('no route')
        ? { status: 'backend missing', detail: 'variable queries: no route' }
        : { status: 'fail', detail: text.slice(0, 300) };
    }
    const panels = await board.locator('[data-testid^="host-panel-"]').all();
    let withData = 0;
    const missing = new Set();
    const times = [];
    for (const p of panels) {
      const t = await p.innerText();
      const ms = Number(await p.getAttribute('data-ms'));
      if (ms > 0) {
        times.push(ms);
      }
      if (Number(await p.getAttribute('data-rows')) > 0) {
        withData++;
      }
      for (const m of t.match(/no route \w+ \S+/g) ?? []) {
        missing.add(m);
      }
    }
    if (missing.size > 0) {
      return { status: 'backend missing', detail: [...missing].join('; ') };
    }
    expect(withData > 0, `no panel of ${uid} has data`);
    times.sort((a, b) => a - b);
    const p95 = times[Math.min(times.length - 1, Math.ceil(0.95 * times.length) - 1)];
    // Browser → datasource → backend → store and back, panels loading at once; not a benchmark.
    return {
      status: 'pass',
      detail: `${withData}/${panels.length} panels with data; panel query max ${times.at(-1)} ms, p95 ${p95} ms`,
    };
  },
}));
