// The live workload dashboard (kubedoor-live, docs/live-dashboard.md) in the host: opened from
// the control table's chart link, its PromQL run on the devhost's REAL Prometheus (through the
// host's datasource proxy), the control table's request and limit drawn from the app's datasource
// and the peak window shaded from its annotation query. What is drawn is checked against the
// backend's own answers (the control row, the cluster settings), read apart from the datasource.
import { APP, CLUSTER, expect, id, open, settle, state } from './page.mjs';

const UID = 'kubedoor-live';
const NS = 'shop';
const NAME = 'checkout';
const MIB = 1024 * 1024;

/** The control row's per-pod total of one field, as the table sets it; null when a container leaves it unset. */
function tableTotal(row, field, scale) {
  const cs = row.containers ?? [];
  if (cs.length === 0 || cs.some((c) => c[field] < 0)) {
    return null;
  }
  return cs.reduce((sum, c) => sum + c[field], 0) * scale;
}

const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

export const liveSteps = [
  {
    name: 'dashboard-live',
    role: 'Viewer',
    docs: true,
    async run(page, { url }) {
      if (!state.collected) {
        return { status: 'backend missing', detail: 'nothing collected: no control row to draw' };
      }
      // The control table's chart link names the workload.
      await open(page, `${APP}/control?cluster=${CLUSTER}`, id('control'));
      await settle(page);
      const href = await page.getByTestId(id(`control-live-${NS}-${NAME}`)).getAttribute('href');
      expect(
        href?.startsWith(`/d/${UID}?`) && href.includes(`var-workload=${NAME}`) && href.includes(`var-namespace=${NS}`),
        `the control table's live link is ${href}`
      );
      // The dashboard opens on the last 3 hours; the test's Prometheus history ends yesterday, so
      // the step widens the range as a user would with the time picker.
      await open(page, `${href}&from=now-2d&to=now`, `host-dashboard-${UID}`);
      const board = page.getByTestId(`host-dashboard-${UID}`);
      await page.waitForFunction(
        (sel) => {
          const b = document.querySelector(sel);
          if (b?.textContent?.includes('Variables could not be resolved')) {
            return true;
          }
          const panels = [...(b?.querySelectorAll('[data-testid^="host-panel-"]') ?? [])];
          return panels.length > 0 && panels.every((p) => p.dataset.state === 'done');
        },
        `[data-testid="host-dashboard-${UID}"]`,
        { timeout: 120_000 }
      );
      const text = await board.innerText();
      expect(!text.includes('Variables could not be resolved'), text.slice(0, 400));

      // What the backend says, read without the datasource.
      const api = async (path) => {
        const res = await page.request.get(`${url}/api/plugins/kubedoor-capacity-app/resources/v1/${path}`);
        expect(res.ok(), `GET ${path}: ${res.status()}`);
        return res.json();
      };
      const row = await api(`control/${CLUSTER}/${NS}/${NAME}`);
      const settings = await api(`clusters/${CLUSTER}/settings`);
      const want = {
        1: { request: tableTotal(row, 'cpuRequestMillis', 1e-3), limit: tableTotal(row, 'cpuLimitMillis', 1e-3) },
        2: { request: tableTotal(row, 'memRequestMiB', MIB), limit: tableTotal(row, 'memLimitMiB', MIB) },
      };
      expect(want[1].request !== null, `the control row of ${NAME} sets no CPU request: ${JSON.stringify(row)}`);

      const details = [];
      const resource = { 1: 'CPU', 2: 'memory' };
      for (const [panelId, expected] of Object.entries(want)) {
        const panel = page.getByTestId(`host-panel-${panelId}`);
        const err = panel.getByTestId('host-panel-error');
        expect((await err.count()) === 0, `panel ${panelId} shows an error: ${await panel.innerText()}`);
        const series = await panel.locator('[data-testid="host-series"]').evaluateAll((els) =>
          els.map((e) => ({
            name: e.dataset.name,
            last: e.dataset.last === '' ? null : Number(e.dataset.last),
            points: Number(e.dataset.points),
            inRegion: Number(e.dataset.inRegion),
          }))
        );
        // Each pod's usage from Prometheus, inside the shaded windows (the history is written there).
        const pods = series.filter((s) => new RegExp(`^${NAME}-`).test(s.name));
        expect(pods.length > 0, `panel ${panelId}: no pod series from Prometheus in [${series.map((s) => s.name)}]`);
        for (const s of pods) {
          expect(s.inRegion > 0, `panel ${panelId}: ${s.name} has no point inside a shaded peak window`);
        }
        expect(
          series.some((s) => s.name.startsWith(`request ${NAME}-`) && s.points > 0),
          `panel ${panelId}: no kube-state-metrics request line`
        );
        // The control table's lines: its values, or none where the table leaves a field unset;
        // drawn across the whole range.
        for (const [kind, value] of Object.entries(expected)) {
          const name = `${kind} (control table)`;
          const line = series.find((s) => s.name === name);
          if (value === null) {
            expect(!line || line.points === 0, `panel ${panelId}: a ${kind} line the table does not set`);
            continue;
          }
          expect(
            line && line.points === 2 && close(line.last, value),
            `panel ${panelId}: ${name} is ${JSON.stringify(line)}, the row says ${value}`
          );
          const drawn = await panel.locator(`polyline[data-series="${name}"]`).evaluateAll((els) =>
            els.map((e) =>
              e
                .getAttribute('points')
                .split(' ')
                .map((p) => Number(p.split(',')[0]))
            )
          );
          expect(
            drawn.length === 1 && drawn[0].length === 2 && drawn[0][0] <= 1 && drawn[0][1] >= 999,
            `panel ${panelId}: ${name} is not drawn across the range: ${JSON.stringify(drawn)}`
          );
        }
        details.push(`${resource[panelId]}: ${pods.length} pods, table ${expected.request}/${expected.limit}`);
      }

      // The shaded regions are the cluster's peak window (the devhost's cluster is in UTC).
      const regions = await page
        .getByTestId('host-panel-1')
        .locator('[data-testid="host-region"]')
        .evaluateAll((els) => els.map((e) => [e.dataset.start, e.dataset.end]));
      expect(regions.length >= 1, 'no peak window is shaded');
      const { start, end } = settings.peakWindow;
      for (const [s, e] of regions) {
        expect(
          s.slice(11, 16) === start && e.slice(11, 16) === end,
          `a shaded region ${s}–${e} is not the cluster's window ${start}–${end} UTC`
        );
      }
      return {
        status: 'pass',
        detail: `${details.join('; ')}; ${regions.length} peak windows ${start}–${end} shaded`,
      };
    },
  },
];
