import { emptyScheduleForm, toScheduleInput, validateSchedule } from './scheduleForm';

describe('a resize schedule', () => {
  test('takes workloads of every kind, sends no replicas and no temporary flag', () => {
    const f = {
      ...emptyScheduleForm('UTC'),
      name: 'apply nightly',
      action: 'resize' as const,
      kind: 'cron' as const,
      cron: '0 3 * * *',
      replicas: '4',
      temporary: true,
      workloads: ['shop/checkout', 'kube-ops/DaemonSet/node-agent'],
    };
    expect(validateSchedule(f, Date.parse('2026-11-22T00:00:00Z'))).toEqual({});
    const input = toScheduleInput(f, 'prod-a');
    expect(input.action).toBe('resize');
    expect(input.temporary).toBe(false);
    expect(input.items).toStrictEqual([
      { namespace: 'shop', workload: 'checkout' },
      { namespace: 'kube-ops', workload: 'node-agent', kind: 'DaemonSet' },
    ]);
  });
});
