import { nodeView } from '../testing/nodeFixtures';
import { toFrame } from './datasource';
import { requestUrl } from './requests';

const q = { refId: 'A', queryType: 'nodes' as const, cluster: 'prod-a' };
const values = (name: string) => {
  const frame = toFrame(q, nodeView());
  return frame.fields.find((f) => f.name === name)!.values;
};

describe('nodes query', () => {
  test('reads the node view with the range as its peak window, at most 90 days', () => {
    expect(requestUrl(q, { from: '2026-11-01', to: '2026-11-21' })).toBe(
      '/api/plugins/kubedoor-capacity-app/resources/v1/clusters/prod-a/nodes?days=21'
    );
    expect(requestUrl(q, { from: '2025-01-01', to: '2026-11-21' })).toMatch(/nodes\?days=90$/);
    expect(() => requestUrl({ ...q, cluster: '' }, { from: '2026-11-01', to: '2026-11-21' })).toThrow(
      'nodes needs a cluster'
    );
  });

  test('one row per node: shares of allocatable, empty for a node without allocatable', () => {
    expect(values('Node')).toEqual(['a', 'b', 'c', 'd']);
    // a: 2100m requested, 850m under the table, 620m at the peak of 4000m.
    expect(values('CPU requested')[0]).toBeCloseTo(0.525);
    expect(values('CPU table')[0]).toBeCloseTo(0.2125);
    expect(values('CPU peak')[0]).toBeCloseTo(0.155);
    expect(values('Memory requested')[1]).toBeCloseTo(5248 / 8192);
    expect(values('CPU requested')[3]).toBeNull();
    expect(values('Rank requested')).toEqual([2, 1, 3, null]);
    expect(values('Requested share')).toEqual([0.525, 0.65, 0.4, null]);
    expect(values('CPU unused at peak')[0]).toBeCloseTo(1.48);
  });

  test('the drain estimate in words', () => {
    expect(values('Drain (estimate)')).toEqual([
      'drainable under the table',
      '1 of 2 pods find no room',
      'nothing to move',
      'not judged',
    ]);
  });
});
