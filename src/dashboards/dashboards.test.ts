import fs from 'fs';
import path from 'path';

import { controlRow, peakRow } from '../testing/fixtures';
import { report } from '../testing/recommendFixtures';
import { nodeView } from '../testing/nodeFixtures';
import { DASHBOARDS, DATASOURCE_TYPE, DATASOURCE_UID, ROUTES } from '../constants';
import { toFrame } from '../datasource/datasource';
import { requestUrl } from '../datasource/requests';
import type { KubeDoorQuery } from '../datasource/types';
import { parseVariableQuery } from '../datasource/variables';
import { dashboardFiles } from './definitions';
import type { Json } from './builders';

const dir = path.resolve(__dirname, '..', '..', 'provisioning', 'dashboards');
const files = dashboardFiles();
const allBoards = Object.entries(files).map(([name, text]) => [name, JSON.parse(text) as Json] as const);
// The live dashboard reads the user's Prometheus, not the app's datasource; checked on its own below.
const boards = allBoards.filter(([, b]) => b.uid !== DASHBOARDS.live);
const range = { from: '2026-11-01', to: '2026-11-21' };
const vars: Record<string, string> = {
  cluster: 'prod-a',
  namespace: 'shop',
  workload: 'checkout',
  kind: 'StatefulSet',
  container: '__all',
};
const interpolate = (v: unknown) => (typeof v === 'string' ? v.replace(/\$(\w+)/g, (_m, n) => vars[n] ?? `$${n}`) : v);

// One sample answer per query type, to check that every field a panel keeps exists in its frame.
const SAMPLE: Record<string, unknown> = {
  totals: {
    items: [
      { day: '2026-11-21', pods: 1, cpuUsage: 1, cpuRequest: 1, cpuLimit: 1, memUsage: 1, memRequest: 1, memLimit: 1 },
    ],
  },
  top: { items: [{ namespace: 'shop', workload: 'checkout', value: 1, day: '2026-11-21' }] },
  namespaces: {
    items: [
      {
        namespace: 'shop',
        workloads: 1,
        pods: 1,
        cpuUsage: 1,
        memUsage: 1,
        cpuRequest: 1,
        memRequest: 1,
        cpuShare: 1,
        memShare: 1,
      },
    ],
  },
  series: { items: [peakRow()] },
  peaks: { items: [peakRow()], total: 1 },
  variable: { items: [controlRow()] },
  recommendations: report(),
  savings: report(),
  savingsByNamespace: report(),
  nodes: nodeView(),
};

function panels(board: Json): Json[] {
  return (board.panels as Json[]).filter((p) => p.type !== 'row');
}

describe('provisioned dashboards', () => {
  test('the committed JSON is what the code generates (run `npm run dashboards`)', () => {
    const committed = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(committed).toEqual(Object.keys(files).sort());
    for (const [name, text] of Object.entries(files)) {
      expect(fs.readFileSync(path.join(dir, name), 'utf8')).toBe(text);
    }
  });

  test('their uids are the ones the pages link to', () => {
    expect(allBoards.map(([, b]) => b.uid).sort()).toEqual(Object.values(DASHBOARDS).sort());
  });

  test.each(boards)('%s: every panel reads the app datasource with a query it can send', (_name, board) => {
    for (const p of panels(board)) {
      expect(p.datasource).toEqual({ type: DATASOURCE_TYPE, uid: DATASOURCE_UID });
      const targets = p.targets as Json[];
      expect(targets.length).toBeGreaterThan(0);
      for (const t of targets) {
        expect(t.datasource).toEqual({ type: DATASOURCE_TYPE, uid: DATASOURCE_UID });
        const resolved = Object.fromEntries(
          Object.entries(t).map(([k, v]) => [k, interpolate(v)])
        ) as unknown as KubeDoorQuery;
        expect(() => requestUrl(resolved, range)).not.toThrow();
        // Every field the panel keeps is one its frame has.
        const frame = toFrame(resolved, SAMPLE[resolved.queryType ?? 'totals']);
        const names = frame.fields.map((f) => f.name);
        for (const tr of (p.transformations as Json[] | undefined) ?? []) {
          const keep = ((tr.options as Json).include as { names: string[] }).names;
          expect(names).toEqual(expect.arrayContaining(keep));
        }
      }
    }
  });

  test.each(boards)('%s: variables are datasource queries the datasource parses', (_name, board) => {
    // The kind variable is a fixed list (checked below), not a datasource query.
    for (const v of (board.templating as { list: Json[] }).list.filter((x) => x.type !== 'custom')) {
      expect(v.datasource).toEqual({ type: DATASOURCE_TYPE, uid: DATASOURCE_UID });
      const q = (v.query as { query: string }).query;
      expect(parseVariableQuery(q).queryType).toBe('variable');
      // A variable refers only to variables defined before it.
      const defined = (board.templating as { list: Json[] }).list.map((x) => x.name as string);
      for (const ref of q.match(/\$(\w+)/g) ?? []) {
        expect(defined.indexOf(ref.slice(1))).toBeLessThan(defined.indexOf(v.name as string));
      }
    }
  });

  const workloadBoards = boards.filter(([, b]) => b.uid !== DASHBOARDS.nodes); // nodes have no kind
  test.each(workloadBoards)(
    '%s: a kind variable offers the three kinds and every panel query passes it on',
    (_name, board) => {
      const list = (board.templating as { list: Json[] }).list;
      const kind = list.find((v) => v.name === 'kind')!;
      expect(kind).toMatchObject({ type: 'custom', query: 'Deployment,StatefulSet,DaemonSet', multi: false });
      const values = (kind.options as Array<{ value: string }>).map((o) => o.value);
      // One workload is of one kind (Deployment first); elsewhere All means every kind.
      if (board.uid === DASHBOARDS.workload) {
        expect(values).toEqual(['Deployment', 'StatefulSet', 'DaemonSet']);
        expect(kind.current).toMatchObject({ value: 'Deployment' });
      } else {
        expect(values).toEqual(['$__all', 'Deployment', 'StatefulSet', 'DaemonSet']);
        expect(kind).toMatchObject({ includeAll: true, allValue: '__all', current: { value: '$__all' } });
      }
      // Defined before the variables that use it.
      for (const v of list.filter((x) => x.type === 'query')) {
        if (/\$kind\b/.test((v.query as { query: string }).query)) {
          expect(list.indexOf(kind)).toBeLessThan(list.indexOf(v));
        }
      }
      for (const p of panels(board)) {
        for (const t of p.targets as Json[]) {
          expect(t.kind).toBe('$kind');
          const resolved = Object.fromEntries(
            Object.entries(t).map(([k, v]) => [k, interpolate(v)])
          ) as unknown as KubeDoorQuery;
          expect(new URL(requestUrl(resolved, range), 'http://g').searchParams.get('kind')).toBe('StatefulSet');
        }
      }
    }
  );

  test('the live dashboard reads the chosen Prometheus for the workload the app variables pick', () => {
    const live = allBoards.find(([, b]) => b.uid === DASHBOARDS.live)![1];
    const list = (live.templating as { list: Json[] }).list;
    expect(list[0]).toMatchObject({ type: 'datasource', name: 'prometheus', query: 'prometheus' });
    // The picker variables are the app's, as on the workload dashboard.
    for (const v of list.filter((x) => x.type === 'query')) {
      expect(v.datasource).toEqual({ type: DATASOURCE_TYPE, uid: DATASOURCE_UID });
      expect(parseVariableQuery((v.query as { query: string }).query).queryType).toBe('variable');
    }
    expect(list.find((v) => v.name === 'kind')).toMatchObject({ includeAll: false, current: { value: 'Deployment' } });
    const ps = panels(live);
    expect(ps).toHaveLength(2);
    const kubedoor = { type: DATASOURCE_TYPE, uid: DATASOURCE_UID };
    const resolve = (t: Json) =>
      Object.fromEntries(Object.entries(t).map(([k, v]) => [k, interpolate(v)])) as unknown as KubeDoorQuery;
    for (const [i, p] of ps.entries()) {
      // Prometheus for the pods, the app's datasource for the control table: a mixed panel.
      expect(p.datasource).toEqual({ type: 'datasource', uid: '-- Mixed --' });
      const targets = p.targets as Array<Json & { expr: string; legendFormat: string; datasource: Json }>;
      const prom = targets.slice(0, 3);
      expect(prom.map((t) => t.legendFormat)).toEqual(['{{pod}}', 'request {{pod}}', 'limit {{pod}}']);
      for (const t of prom) {
        expect(t.datasource).toEqual({ type: 'prometheus', uid: '${prometheus}' });
        expect(t.expr).toContain('namespace="$namespace",pod=~"${workload:regex}-');
      }
      // The control table's row of the same workload, as lines the overrides style.
      expect(targets).toHaveLength(4);
      const table = targets[3];
      expect(table).toMatchObject({ datasource: kubedoor, queryType: 'controlLimits', workload: '$workload' });
      expect(table.resource).toBe(i === 0 ? 'cpu' : 'memory');
      const resolved = resolve(table);
      expect(requestUrl(resolved, range)).toContain('/control/prod-a/shop/checkout?kind=StatefulSet');
      const names = toFrame(resolved, controlRow(), { fromMs: 0, toMs: 1 }).fields.map((f) => f.name);
      const overrides = (p.fieldConfig as Json).overrides as Array<{ matcher: { id: string; options: string } }>;
      for (const name of names.filter((n) => n !== 'Time')) {
        const styled = overrides.filter((o) =>
          o.matcher.id === 'byName' ? o.matcher.options === name : new RegExp(o.matcher.options).test(name)
        );
        expect(styled.length).toBeGreaterThanOrEqual(2);
      }
    }
    // The peak window of the same workload shades the panels.
    const annos = (live.annotations as { list: Json[] }).list;
    expect(annos).toHaveLength(1);
    expect(annos[0]).toMatchObject({ datasource: kubedoor, enable: true });
    const target = resolve(annos[0].target as Json);
    expect(target).toMatchObject({ queryType: 'peakWindows', namespace: 'shop', workload: 'checkout' });
    expect(requestUrl(target, range, { fromMs: 0, toMs: 1 })).toContain('/clusters/prod-a/peak-windows?from=0&to=1');
  });

  test('the workload peaks dashboard links to the live view of the same workload', () => {
    const wl = allBoards.find(([, b]) => b.uid === DASHBOARDS.workload)![1];
    const link = (wl.links as Array<{ title: string; url: string }>).find((l) => l.url.includes(DASHBOARDS.live))!;
    expect(link.url).toContain('var-workload=${workload}');
    expect(link.url).toContain('var-kind=${kind}');
  });

  test('the workload dashboard lists workloads and containers of the chosen kind', () => {
    const board = boards.find(([, b]) => b.uid === DASHBOARDS.workload)![1];
    const queries = (board.templating as { list: Json[] }).list
      .filter((v) => v.type === 'query')
      .map((v) => (v.query as { query: string }).query);
    expect(queries).toContain('workloads($cluster, $namespace, $kind)');
    expect(queries).toContain('containers($cluster, $namespace, $workload, $kind)');
  });

  test.each(allBoards)('%s: panels have unique ids and fit the 24-column grid without overlapping', (_name, board) => {
    const all = board.panels as Json[];
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    const cells = new Set<string>();
    for (const p of all) {
      const g = p.gridPos as { x: number; y: number; w: number; h: number };
      expect(g.x + g.w).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          const key = `${x},${y}`;
          expect(cells.has(key)).toBe(false);
          cells.add(key);
        }
      }
    }
  });

  test.each(allBoards)('%s: its links are in the header, not in the controls menu', (_name, board) => {
    // The SDK's link builder defaults to placement "inControlsMenu"; builders.ts drops it.
    const links = board.links as Json[];
    expect(links.length).toBeGreaterThan(1);
    for (const l of links) {
      expect(l).not.toHaveProperty('placement');
    }
  });

  test.each(allBoards)('%s: links go to KubeDoor dashboards or app pages that exist', (_name, board) => {
    const uids = Object.values(DASHBOARDS) as string[];
    const pages = Object.values(ROUTES) as string[];
    const urls: string[] = [];
    for (const l of board.links as Json[]) {
      if (l.type === 'link') {
        urls.push(l.url as string);
      }
    }
    for (const p of panels(board)) {
      for (const o of ((p.fieldConfig as Json).overrides as Json[]) ?? []) {
        for (const prop of o.properties as Json[]) {
          if (prop.id === 'links') {
            urls.push(...(prop.value as Array<{ url: string }>).map((l) => l.url));
          }
        }
      }
    }
    for (const url of urls) {
      const dash = /^\/d\/([\w-]+)\?/.exec(url);
      const page = /^\/a\/kubedoor-capacity-app\/(\w+)/.exec(url);
      expect(dash ? uids.includes(dash[1]) : page ? pages.includes(page[1]) : false).toBe(true);
    }
  });
});
