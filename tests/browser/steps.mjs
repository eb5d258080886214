// The browser run's steps: each opens an app page as a role, waits for what the backend
// answered, checks what is visible, and may act (edit, backfill, create). They run in order and
// share `state` (a backfill feeds the control table). data-testid values are those of
// src/components/testIds.ts.

import { kubeGet } from './kube.mjs';
import { APP, CLUSTER, expect, id, open, settle, state, verdict, visible } from './page.mjs';
import { liveSteps } from './live.mjs';
import { podSteps } from './pods.mjs';

// internal/demofleet's workloads: four Deployments, a StatefulSet and a DaemonSet.
const FLEET_WORKLOADS = 6;
// internal/demofleet's StatefulSet and DaemonSet, as testIds name them ("ns-Kind-name").
const STATEFULSET = 'pay-StatefulSet-ledger';
const DAEMONSET = 'shop-DaemonSet-log-agent';

/**
 * Checks the table row marked by `rowTestId` for each kind: the StatefulSet's shows its kind and
 * replicas, the DaemonSet's its kind and the "no replicas" mark instead of a count.
 */
async function expectKindRows(page, rowTestId) {
  for (const [wid, kind] of [
    [STATEFULSET, 'StatefulSet'],
    [DAEMONSET, 'DaemonSet'],
  ]) {
    const marker = page.getByTestId(id(`${rowTestId}-${wid}`));
    await marker.first().waitFor({ timeout: 30_000 });
    const row = page.getByRole('row').filter({ has: marker });
    expect(
      (await row.getByTestId(id('kind-badge')).getAttribute('aria-label')) === kind,
      `the ${wid} row shows no ${kind} badge: ${await row.innerText()}`
    );
    const noReplicas = await row.getByTestId(id('kind-no-replicas')).count();
    if (kind === 'DaemonSet') {
      expect(noReplicas > 0, `the DaemonSet row shows replicas: ${await row.innerText()}`);
    } else {
      expect(noReplicas === 0, `the StatefulSet row shows no replicas: ${await row.innerText()}`);
    }
  }
}

export const steps = [
  {
    name: 'boot',
    role: 'Admin',
    docs: false,
    async run(page) {
      await open(page, `${APP}/overview`, id('overview-store'));
      const store = await page.getByTestId(id('overview-store')).innerText();
      expect(store.includes('Embedded ClickHouse engine (chDB)'), `store card: ${store}`);
      expect(store.includes('OK'), `the embedded store is not OK: ${store}`);
      // The engine check: an Admin sees the engine file the backend loaded (KUBEDOOR_LIBCHDB).
      expect(/ClickHouse \S+ loaded from \S+libchdb\.so/.test(store), `the engine check: ${store}`);
      const row = page.getByRole('row', { name: new RegExp(`^${CLUSTER}\\b`) });
      expect(
        (await row.innerText()).includes('OK'),
        `Prometheus of ${CLUSTER} is not reachable: ${await row.innerText()}`
      );
      await settle(page);
      return verdict(page, 'store and Prometheus OK from the real backend');
    },
  },
  {
    name: 'configuration',
    role: 'Admin',
    docs: true,
    async run(page, { url }) {
      await open(page, '/plugins/kubedoor-capacity-app', id('config-form'));
      const name = page.getByTestId(id('config-cluster-0-name'));
      expect((await name.inputValue()) === CLUSTER, 'the configured cluster is not shown');
      expect(
        await page.getByRole('radio', { name: 'Kubeconfig' }).isChecked(),
        'Kubernetes access is not "Kubeconfig"'
      );
      expect(await visible(page.getByText('configured')), 'the stored kubeconfig is not shown as configured');
      // Saving unchanged settings goes through Grafana's settings API and reloads the page.
      const saved = page.waitForResponse(
        (r) => r.url().endsWith('/api/plugins/kubedoor-capacity-app/settings') && r.request().method() === 'POST'
      );
      await page.getByTestId(id('config-submit')).click();
      expect((await saved).status() === 200, 'saving the settings failed');
      await page.getByTestId(id('config-form')).waitFor();
      // Grafana never gives the stored kubeconfig back, and the test uses only what is typed:
      // the page says so; reset it and paste the local cluster's kubeconfig, as an admin would.
      await page.getByText('paste the kubeconfig again to include it in the test').waitFor();
      await page.getByRole('button', { name: 'Reset' }).click();
      const kubeconfig = await (await page.request.get(`${url}/devhost/kubeconfig`)).text();
      await page.getByTestId(id('config-cluster-0-kubeconfig')).fill(kubeconfig);
      await page.getByTestId(id('config-test-cluster-0')).click();
      const result = page.getByTestId(id('config-test-result-0'));
      await page.waitForFunction(
        (sel) => (document.querySelector(sel)?.textContent ?? '') !== '',
        `[data-testid="${id('config-test-result-0')}"]`,
        {
          timeout: 60_000,
        }
      );
      const text = await result.innerText();
      if (text.includes('no route')) {
        return { status: 'backend missing', detail: 'no route POST /v1/clusters/test' };
      }
      expect(/Prometheus\s*OK/.test(text), `the connection test says: ${text}`);
      expect(/Kubernetes\s*OK/.test(text), `the connection test says: ${text}`);
      return { status: 'pass', detail: 'settings saved; connection test OK' };
    },
  },
  {
    name: 'configuration-viewer',
    role: 'Viewer',
    docs: false,
    async run(page, { url }) {
      await open(page, '/plugins/kubedoor-capacity-app');
      await page.getByText('Access denied').waitFor();
      const nav = await page.getByTestId('host-nav').innerText();
      expect(!nav.includes('Configuration'), 'a Viewer sees the Configuration nav entry');
      const res = await page.request.post(`${url}/api/plugins/kubedoor-capacity-app/settings`, {
        data: { jsonData: {} },
      });
      expect(res.status() === 403, `a Viewer could save plugin settings (HTTP ${res.status()})`);
      return { status: 'pass', detail: 'no config page, no nav entry, settings POST refused' };
    },
  },
  {
    name: 'clusters',
    role: 'Admin',
    docs: true,
    async run(page) {
      await open(page, `${APP}/clusters?cluster=${CLUSTER}`, id('clusters'));
      await settle(page);
      if (!(await visible(page.getByTestId(id('clusters-backfill'))))) {
        return verdict(page, 'no backfill control');
      }
      const days = page.getByTestId(id('clusters-backfill-days'));
      await days.fill('14');
      await page.getByTestId(id('clusters-backfill')).click();
      const job = page.getByTestId(id('clusters-job'));
      const started = await Promise.race([
        job.waitFor({ timeout: 30_000 }).then(() => true),
        page
          .getByTestId(id('clusters-job-error'))
          .waitFor({ timeout: 30_000 })
          .then(() => false),
      ]);
      if (!started) {
        const why = await page.getByTestId(id('clusters-job-error')).innerText();
        return why.includes('no route')
          ? { status: 'backend missing', detail: 'no route POST /v1/clusters/demo/collections' }
          : { status: 'fail', detail: why };
      }
      await page.waitForFunction(
        (sel) => /succeeded|failed|cancelled/.test(document.querySelector(sel)?.textContent ?? ''),
        `[data-testid="${id('clusters-job')}"]`,
        { timeout: 10 * 60_000 }
      );
      const text = await job.innerText();
      expect(text.includes('succeeded'), `the backfill ended: ${text}`);
      const progress = await page.getByTestId(id('clusters-job-progress')).getAttribute('aria-valuenow');
      expect(progress === '100', `progress at the end is ${progress}%`);
      state.collected = true;
      return verdict(page, 'backfilled 14 days with progress to 100%');
    },
  },
  {
    name: 'control-table',
    role: 'Editor',
    docs: true,
    async run(page) {
      await open(page, `${APP}/control?cluster=${CLUSTER}`, id('control'));
      await settle(page);
      if (await visible(page.getByTestId(id('control-empty')))) {
        return state.collected
          ? { status: 'fail', detail: 'the control table is empty after a successful collection' }
          : { status: 'backend missing', detail: 'nothing collected (no collection route), so no rows' };
      }
      if (!(await visible(page.getByTestId(id('control-table'))))) {
        return verdict(page, 'no table');
      }
      await page.getByTestId(id('control-row-shop-checkout')).waitFor();
      await page.getByTestId(id('control-edit-shop-checkout')).click();
      const replicas = page.getByTestId(id('control-replicas-manual'));
      await replicas.fill('4');
      await page.getByTestId(id('control-save')).click();
      await page.getByTestId(id('control-dialog')).waitFor({ state: 'detached', timeout: 30_000 });
      await settle(page);
      const row = page.getByRole('row').filter({ has: page.getByTestId(id('control-row-shop-checkout')) });
      const text = await row.innerText();
      expect(/\b4\b/.test(text) && text.includes('manual'), `after the edit the row reads: ${text}`);
      state.controlEdited = true;
      await page.getByTestId(id('control-history-shop-checkout')).click();
      await page.getByTestId(id('control-history')).getByText('manual replicas').first().waitFor({ timeout: 30_000 });
      // The drawer also reads the CapacityPolicy from the cluster (published after the backfill).
      await page
        .getByTestId(id('control-policy'))
        .getByText(/^Version \d+ published /)
        .waitFor({ timeout: 30_000 });
      // Close the history so the step's screenshot shows the table with the edited row.
      await page.keyboard.press('Escape');
      await page.getByTestId(id('control-history')).waitFor({ state: 'detached' });
      await expectKindRows(page, 'control-row');
      return verdict(
        page,
        'edited shop/checkout to 4 replicas; history and the published policy show; a StatefulSet row and a DaemonSet row without replicas'
      );
    },
  },
  {
    name: 'peak-data',
    role: 'Viewer',
    docs: true,
    async run(page) {
      await open(page, `${APP}/peaks?cluster=${CLUSTER}`, id('peaks'));
      await settle(page);
      if (await visible(page.getByTestId(id('peaks-table')))) {
        const table = page.getByTestId(id('peaks-table'));
        for (const name of ['checkout', 'ledger', 'log-agent']) {
          expect(await visible(table.getByText(name, { exact: true })), `${name} is not among the peak rows`);
        }
        for (const kind of ['StatefulSet', 'DaemonSet']) {
          expect(
            (await table.locator(`[data-testid="${id('kind-badge')}"][aria-label="${kind}"]`).count()) > 0,
            `no ${kind} badge among the peak rows`
          );
        }
        return verdict(page, 'peak rows of yesterday, a Deployment, a StatefulSet and a DaemonSet among them');
      }
      if (await visible(page.getByTestId(id('peaks-empty')))) {
        return state.collected
          ? { status: 'fail', detail: 'no peak rows after a successful collection' }
          : { status: 'backend missing', detail: 'nothing collected, so no peak rows' };
      }
      return verdict(page, 'no table');
    },
  },
  {
    name: 'recommendations',
    role: 'Editor',
    docs: true,
    async run(page) {
      await open(page, `${APP}/recommendations?cluster=${CLUSTER}`, id('recommend'));
      await settle(page);
      if (await visible(page.getByTestId(id('recommend-empty')))) {
        return state.collected
          ? { status: 'fail', detail: 'no recommendations after a successful collection' }
          : { status: 'backend missing', detail: 'nothing collected, so nothing to recommend' };
      }
      if (!(await visible(page.getByTestId(id('recommend-items'))))) {
        return verdict(page, 'no recommendations table');
      }
      const totals = await page.getByTestId(id('recommend-totals')).innerText();
      for (const card of ['Now', 'Control table', 'Recommended']) {
        expect(totals.includes(card), `the totals lack "${card}": ${totals}`);
      }
      expect(/cores · [\d.]+ GiB/.test(totals), `the totals show no cores and GiB: ${totals}`);
      const items = page.getByTestId(id('recommend-items'));
      for (const header of ['Replicas now → table → recommended', 'Savings / month', 'Waste score', 'Risk']) {
        expect(await visible(items.getByRole('columnheader', { name: header })), `no "${header}" column`);
      }
      const rows = await page.locator(`[data-testid^="${id('recommend-row-')}"]`).count();
      expect(rows > 0, 'the recommendations table has no workload');
      await expectKindRows(page, 'recommend-row');
      expect(await visible(page.getByTestId(id('recommend-namespaces'))), 'no per-namespace table');
      if (state.collected) {
        expect(
          !(await visible(page.getByTestId(id('recommend-no-history')))),
          'says "no stored peak history" after a successful collection'
        );
      }
      return verdict(page, `totals, namespaces and ${rows} workloads`);
    },
  },
  {
    name: 'nodes',
    role: 'Viewer',
    docs: true,
    async run(page, { url }) {
      await open(page, `${APP}/nodes?cluster=${CLUSTER}`, id('nodes'));
      await settle(page);
      if (!(await visible(page.getByTestId(id('nodes-table'))))) {
        return verdict(page, 'no nodes table');
      }
      const rows = await page.locator(`[data-testid^="${id('nodes-row-')}"]`).count();
      expect(rows > 0, 'the nodes table has no node');
      // Every node the cluster holds has its row (kwok's nodes of the devhost).
      for (const node of (await kubeGet(url, '/api/v1/nodes')).items) {
        expect(
          await visible(page.getByTestId(id(`nodes-row-${node.metadata.name}`))),
          `no row for ${node.metadata.name}`
        );
      }
      const cpu = await page
        .locator(`[data-testid^="${id('nodes-cpu-')}"]`)
        .first()
        .innerText();
      for (const bar of ['requested', 'table', 'peak']) {
        expect(cpu.includes(bar), `the CPU bars lack "${bar}": ${cpu}`);
      }
      const drainable = await page.getByTestId(id('nodes-drainable')).innerText();
      expect(drainable.includes('(estimate)'), `the drain estimate is not labelled as one: ${drainable}`);
      expect(await visible(page.getByTestId(id('nodes-fragmentation'))), 'no fragmentation');
      return verdict(page, `${rows} nodes with requested, table and peak bars`);
    },
  },
  ...podSteps,
  {
    name: 'control-history-backtest',
    role: 'Viewer',
    docs: true,
    async run(page) {
      await open(page, `${APP}/control?cluster=${CLUSTER}`, id('control'));
      await settle(page);
      if (await visible(page.getByTestId(id('control-empty')))) {
        return state.collected
          ? { status: 'fail', detail: 'the control table is empty after a successful collection' }
          : { status: 'backend missing', detail: 'nothing collected, so no rows' };
      }
      await page.getByTestId(id('control-history-shop-checkout')).click();
      const drawer = page.getByTestId(id('control-history'));
      await drawer.waitFor();
      await drawer.getByText('Backtest of the current row').waitFor({ timeout: 30_000 });
      await settle(page, 120_000);
      const verdictNow = await verdict(page, 'history drawer with the backtest and the recommendation');
      if (verdictNow.status !== 'pass') {
        return verdictNow;
      }
      const summary = await page.getByTestId(id('control-backtest-summary')).innerText();
      expect(summary.trim() !== '', 'the backtest summary is empty');
      const rec = await page.getByTestId(id('control-recommended-reason')).innerText();
      expect(rec.includes('Recommended replicas'), `no recommendation section: ${rec}`);
      // The drawer stays open for the screenshot.
      return { ...verdictNow, detail: `backtest: ${summary.slice(0, 120)}` };
    },
  },
  {
    name: 'enforce-preview',
    role: 'Admin',
    docs: true,
    async run(page) {
      await open(page, `${APP}/clusters?cluster=${CLUSTER}`, id('clusters'));
      await settle(page);
      const table = page.getByTestId(id('clusters-namespaces'));
      if (!(await visible(table))) {
        return verdict(page, 'no namespaces table');
      }
      // A namespace that is not enforced yet and runs Deployments (the last column counts them):
      // its "Enforce" option opens the confirmation with something to preview.
      let target;
      for (const row of await table.getByRole('row').all()) {
        const enforce = row.getByRole('radio', { name: 'Enforce' });
        if ((await enforce.count()) === 0 || (await enforce.isChecked())) {
          continue;
        }
        const cells = await row.getByRole('cell').allInnerTexts();
        if (Number(cells[cells.length - 1]) > 0) {
          target = enforce;
          break;
        }
      }
      if (!target) {
        return { status: 'fail', detail: 'no namespace runs Deployments without being enforced: nothing to preview' };
      }
      await target.click();
      const preview = page.getByTestId(id('clusters-preview'));
      await preview.waitFor();
      await settle(page, 120_000);
      const savings = page.getByTestId(id('clusters-preview-savings'));
      await page.waitForFunction(
        (sel) => /a month|not available/.test(document.querySelector(sel)?.textContent ?? ''),
        `[data-testid="${id('clusters-preview-savings')}"]`,
        { timeout: 60_000 }
      );
      const saved = await savings.innerText();
      if (saved.includes('no route')) {
        return { status: 'backend missing', detail: 'no route GET /v1/clusters/demo/recommendations' };
      }
      const verdictNow = await verdict(page, 'enforce dialog with the preview and the savings');
      if (verdictNow.status !== 'pass') {
        return verdictNow;
      }
      expect(
        /[1-9]\d* running (Deployments?|workloads?)/.test(await preview.innerText()),
        'the preview shows no running Deployment'
      );
      expect(/Now: .* a month/.test(saved) && saved.includes('Enforcing saves'), `the savings read: ${saved}`);
      // The dialog stays open (not confirmed) for the screenshot.
      return verdictNow;
    },
  },
  {
    name: 'schedules',
    role: 'Editor',
    docs: true,
    async run(page) {
      await open(page, `${APP}/schedules?cluster=${CLUSTER}`, id('schedules'));
      await settle(page);
      if (
        !(await visible(page.getByTestId(id('schedules-table')))) &&
        !(await visible(page.getByTestId(id('schedules-empty'))))
      ) {
        return verdict(page, 'no schedule list');
      }
      await page.getByTestId(id('schedules-create')).click();
      await page.getByTestId(id('schedules-name')).fill('Collect before the sale');
      await page.getByRole('radio', { name: 'Collect peak data' }).click();
      const tomorrow = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
      await page.getByTestId(id('schedules-time-zone')).fill('UTC');
      await page.getByTestId(id('schedules-run-at')).fill(`${tomorrow}T09:30`);
      await page.getByTestId(id('schedules-submit')).click();
      await page.getByTestId(id('schedules-dialog')).waitFor({ state: 'detached', timeout: 30_000 });
      await settle(page);
      await page.getByTestId(id('schedules-table')).getByText('Collect before the sale').waitFor({ timeout: 30_000 });
      return verdict(page, 'created a once schedule');
    },
  },
  {
    name: 'audit',
    role: 'Admin',
    docs: true,
    async run(page) {
      await open(page, `${APP}/audit`, id('audit'));
      await settle(page);
      const table = await visible(page.getByTestId(id('audit-table')));
      const empty = await visible(page.getByTestId(id('audit-empty')));
      expect(table || empty, 'the audit page shows neither entries nor "nothing recorded"');
      if (state.controlEdited) {
        expect(
          await visible(page.getByTestId(id('audit-table')).getByText('editor (Editor)')),
          "the Editor's edit is not in the audit log"
        );
      }
      if (state.isolatedPod) {
        // pkg/pods' audit actions for the pods steps' isolate and delete.
        for (const action of ['isolate pod', 'delete pod']) {
          expect(
            await visible(page.getByTestId(id('audit-table')).getByRole('cell', { name: action, exact: true })),
            `the pods steps' "${action}" is not in the audit log`
          );
        }
      }
      return verdict(page, table ? 'entries listed' : 'nothing recorded yet');
    },
  },
  {
    name: 'overview',
    role: 'Admin',
    docs: true,
    async run(page) {
      await open(page, `${APP}/overview`, id('overview-cluster-demo'));
      await settle(page);
      const cluster = page.getByTestId(id('overview-cluster-demo'));
      if (state.collected) {
        const controlled = await cluster.getByTestId(id('overview-controlled')).innerText();
        const collection = await cluster.getByTestId(id('overview-collection')).innerText();
        expect(collection.includes('succeeded'), `last collection: ${collection}`);
        const verdictNow = await verdict(page, 'after the backfill and the edits');
        if (verdictNow.status === 'pass') {
          expect(
            new RegExp(`\\b${FLEET_WORKLOADS}\\b`).test(controlled),
            `workloads controlled: ${controlled.replace(/\s+/g, ' ')}`
          );
        }
        if (state.controlEdited) {
          const changes = await cluster.getByTestId(id('overview-changes')).innerText();
          expect(changes.includes('editor'), `today's changes do not show the edit: ${changes}`);
        }
        return verdictNow;
      }
      return verdict(page, 'overview');
    },
  },
  {
    name: 'viewer-read-only',
    role: 'Viewer',
    docs: false,
    async run(page) {
      await open(page, `${APP}/control?cluster=${CLUSTER}`, id('control'));
      await settle(page);
      for (const testId of [
        'control-add',
        'control-batch-scale',
        'control-batch-restart',
        'control-edit-shop-checkout',
      ]) {
        expect(!(await visible(page.getByTestId(id(testId)))), `a Viewer sees ${testId}`);
      }
      const nav = await page.getByTestId('host-nav').innerText();
      expect(!nav.includes('Configuration'), 'a Viewer sees the Configuration nav entry');
      return { status: 'pass', detail: 'no write controls for a Viewer' };
    },
  },
  ...[
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
  })),
  ...liveSteps,
];
