import { controlRow } from '../testing/fixtures';
import { controlLimitsFrame, peakWindowsFrame, podTotal, TABLE_LIMIT, TABLE_REQUEST } from './live';
import { requestUrl } from './requests';
import type { KubeDoorQuery } from './types';

const API = '/api/plugins/kubedoor-capacity-app/resources/v1';
const span = { fromMs: Date.parse('2026-11-21T09:00:00Z'), toMs: Date.parse('2026-11-21T12:00:00Z') };
const days = { from: '2026-11-21', to: '2026-11-21' };
const MIB = 1024 * 1024;
const sidecar = {
  name: 'proxy',
  cpuRequestMillis: 100,
  cpuLimitMillis: -1,
  memRequestMiB: 128,
  memLimitMiB: 256,
  sources: { cpuRequest: 'manual', cpuLimit: 'manual', memRequest: 'manual', memLimit: 'manual' },
} as const;
const values = (frame: ReturnType<typeof controlLimitsFrame>, name: string) =>
  frame.fields.find((f) => f.name === name)!.values;

describe('the control table as lines of the live panels', () => {
  test.each<[string, Parameters<typeof podTotal>, number | null, string[]]>([
    ['one container: its CPU request in cores', [controlRow(), 'cpu', 'Request'], 0.35, []],
    ['one container: its memory limit in bytes', [controlRow(), 'memory', 'Limit'], 2048 * MIB, []],
    [
      'a pod is the sum of its containers',
      [controlRow({ containers: [...controlRow().containers!, sidecar] }), 'memory', 'Request'],
      (420 + 128) * MIB,
      [],
    ],
    [
      'a container the table leaves unset leaves the pod without a table value',
      [controlRow({ containers: [...controlRow().containers!, sidecar] }), 'cpu', 'Limit'],
      null,
      ['proxy'],
    ],
    ['a row without containers has no value', [controlRow({ containers: null }), 'cpu', 'Request'], null, []],
  ])('%s', (_name, args, total, unset) => {
    expect(podTotal(...args)).toEqual({ total, unset });
  });

  test('the request and limit are constant lines across the whole range', () => {
    const frame = controlLimitsFrame({ refId: 'D', resource: 'memory' }, controlRow(), span);
    expect(frame.refId).toBe('D');
    expect(values(frame, 'Time')).toEqual([span.fromMs, span.toMs]);
    expect(values(frame, TABLE_REQUEST)).toEqual([420 * MIB, 420 * MIB]);
    expect(values(frame, TABLE_LIMIT)).toEqual([2048 * MIB, 2048 * MIB]);
    expect(frame.meta?.notices).toBeUndefined();
  });

  test('an unset limit is no line, and a notice says why', () => {
    const row = controlRow({ containers: [...controlRow().containers!, sidecar] });
    const frame = controlLimitsFrame({ refId: 'D', resource: 'cpu' }, row, span);
    expect(values(frame, TABLE_REQUEST)).toEqual([0.45, 0.45]);
    expect(values(frame, TABLE_LIMIT)).toEqual([null, null]);
    expect(frame.meta?.notices?.[0].text).toContain('cpu limit of proxy unset');
  });

  test('a workload outside the control table has no rows and a notice', () => {
    const frame = controlLimitsFrame({ refId: 'D', workload: 'checkout' }, undefined, span);
    expect(frame.length).toBe(0);
    expect(frame.meta?.notices?.[0].text).toBe('checkout is not in the control table.');
  });

  test('reads the row of the workload, with its kind for non-Deployments', () => {
    const q: KubeDoorQuery = { refId: 'D', queryType: 'controlLimits', cluster: 'prod-a', namespace: 'shop' };
    expect(requestUrl({ ...q, workload: 'checkout', kind: 'Deployment' }, days)).toBe(
      `${API}/control/prod-a/shop/checkout`
    );
    expect(requestUrl({ ...q, workload: 'ledger', kind: 'StatefulSet' }, days)).toBe(
      `${API}/control/prod-a/shop/ledger?kind=StatefulSet`
    );
    expect(() => requestUrl(q, days)).toThrow('controlLimits needs a workload');
    expect(() => requestUrl({ ...q, workload: 'x', resource: 'gpu' as never }, days)).toThrow('unknown resource');
  });
});

describe('the peak window as annotation regions', () => {
  const q: KubeDoorQuery = { refId: 'Anno', queryType: 'peakWindows', cluster: 'prod-a' };

  test('reads the exact range, and the workload only with its namespace', () => {
    expect(requestUrl({ ...q, namespace: 'shop', workload: 'ledger', kind: 'StatefulSet' }, days, span)).toBe(
      `${API}/clusters/prod-a/peak-windows?from=${span.fromMs}&to=${span.toMs}&namespace=shop&kind=StatefulSet&workload=ledger`
    );
    // The kind names one workload: without one it is not sent.
    expect(requestUrl({ ...q, namespace: 'shop', kind: 'StatefulSet' }, days, span)).toBe(
      `${API}/clusters/prod-a/peak-windows?from=${span.fromMs}&to=${span.toMs}&namespace=shop`
    );
    expect(() => requestUrl({ ...q, workload: 'api' }, days, span)).toThrow('peakWindows needs a namespace');
    expect(() => requestUrl(q, days)).toThrow('needs the time range');
  });

  test("each day's window is a region from its start to its end, described by the setting", () => {
    const frame = peakWindowsFrame(q, {
      cluster: 'prod-a',
      timeZone: 'Asia/Shanghai',
      window: { start: '23:00', end: '01:00' },
      setOn: 'namespace',
      items: [{ day: '2026-11-20', start: '2026-11-20T23:00:00+08:00', end: '2026-11-21T01:00:00+08:00' }],
    });
    const field = (name: string) => frame.fields.find((f) => f.name === name)!.values;
    expect(field('time')).toEqual([Date.parse('2026-11-20T15:00:00Z')]);
    expect(field('timeEnd')).toEqual([Date.parse('2026-11-20T17:00:00Z')]);
    expect(field('title')).toEqual(['Peak window of 2026-11-20']);
    expect(field('text')).toEqual(["Peak window 23:00–01:00 Asia/Shanghai (the namespace's setting)"]);
  });

  test('no windows in the range: an empty frame', () => {
    const frame = peakWindowsFrame(q, {
      cluster: 'prod-a',
      timeZone: 'UTC',
      window: { start: '10:00', end: '11:30' },
      setOn: 'cluster',
      items: null,
    });
    expect(frame.length).toBe(0);
  });
});
