import {
  cronShapeError,
  emptyScheduleForm,
  formFieldOf,
  formFromSchedule,
  runAtInstant,
  toScheduleInput,
  validateSchedule,
} from './scheduleForm';
import { schedule } from '../../testing/fixtures';

const NOW = Date.parse('2026-11-22T04:00:00Z');

describe('schedule form model', () => {
  test.each([
    ['five fields', '0 9 * * 1-5', undefined],
    ['steps and lists', '*/15 8-18 1,15 * MON-FRI', undefined],
    [
      'a descriptor is refused like the backend does',
      '@daily',
      'Write the five fields (e.g. 0 0 * * * for daily) and pick the time zone on the right',
    ],
    [
      'a CRON_TZ prefix is refused',
      'CRON_TZ=UTC 0 9 * * *',
      'Write the five fields (e.g. 0 9 * * * for daily) and pick the time zone on the right'.replace('0 9', '0 0'),
    ],
    ['four fields', '0 9 * *', 'Five fields: minute hour day-of-month month day-of-week, e.g. 0 9 * * 1-5'],
    [
      'six fields (seconds)',
      '0 0 9 * * 1',
      'Five fields: minute hour day-of-month month day-of-week, e.g. 0 9 * * 1-5',
    ],
    ['a stray character', '0 9 * * 1;', '"1;" is not a cron field'],
  ])('cron: %s', (_name, expr, want) => {
    expect(cronShapeError(expr)).toBe(want);
  });

  test('a once time is read in the schedule zone', () => {
    expect(runAtInstant('2026-11-23T10:00', 'Asia/Shanghai')?.toISOString()).toBe('2026-11-23T02:00:00.000Z');
    expect(runAtInstant('2026-11-23T10:00', 'America/New_York')?.toISOString()).toBe('2026-11-23T15:00:00.000Z');
    expect(runAtInstant('2026-11-23', 'UTC')).toBeUndefined();
    expect(runAtInstant('2026-11-23T10:00', 'Nowhere/Land')).toBeUndefined();
  });

  test('a past time, missing workloads and replicas are refused by field', () => {
    const f = { ...emptyScheduleForm('Asia/Shanghai'), name: 'x', runAt: '2026-11-22T11:59' };
    expect(validateSchedule(f, NOW)).toEqual({
      runAt: 'This time has already passed',
      items: 'Pick at least one workload',
      replicas: 'A whole number of replicas from 0 to 10000',
    });
  });

  test('a collect schedule needs neither workloads nor replicas', () => {
    const f = {
      ...emptyScheduleForm('UTC'),
      name: 'nightly',
      action: 'collect' as const,
      kind: 'cron' as const,
      cron: '0 1 * * *',
    };
    expect(validateSchedule(f, NOW)).toEqual({});
    expect(toScheduleInput(f, 'prod-a')).toEqual({
      cluster: 'prod-a',
      name: 'nightly',
      action: 'collect',
      kind: 'cron',
      runAt: null,
      cron: '0 1 * * *',
      timeZone: 'UTC',
      items: [],
      temporary: false,
      intervalSeconds: 0,
      days: 1,
      enabled: true,
    });
    expect(validateSchedule({ ...f, days: '401' }, NOW)).toEqual({ days: 'From 1 to 400 days' });
    expect(validateSchedule({ ...f, intervalSeconds: '61' }, NOW)).toEqual({
      intervalSeconds: 'A whole number of seconds from 0 to 60',
    });
  });

  test('a once scale becomes the POST body with the instant in UTC and replicas per item', () => {
    const f = {
      ...emptyScheduleForm('Asia/Shanghai'),
      name: ' Sale ',
      runAt: '2026-11-23T10:00',
      workloads: ['shop/checkout', 'shop/cart'],
      replicas: '10',
      temporary: true,
      intervalSeconds: '5',
    };
    expect(validateSchedule(f, NOW)).toEqual({});
    expect(toScheduleInput(f, 'prod-a')).toEqual({
      cluster: 'prod-a',
      name: 'Sale',
      action: 'scale',
      kind: 'once',
      runAt: '2026-11-23T02:00:00Z',
      cron: '',
      timeZone: 'Asia/Shanghai',
      items: [
        { namespace: 'shop', workload: 'checkout', replicas: 10 },
        { namespace: 'shop', workload: 'cart', replicas: 10 },
      ],
      temporary: true,
      intervalSeconds: 5,
      enabled: true,
    });
  });

  test('targets of other kinds become items naming their kind; Deployment items stay without kind', () => {
    const f = {
      ...emptyScheduleForm('UTC'),
      name: 'nightly',
      action: 'restart' as const,
      kind: 'cron' as const,
      cron: '0 3 * * *',
      workloads: ['shop/checkout', 'shop/StatefulSet/db', 'kube-ops/DaemonSet/node-agent'],
    };
    expect(validateSchedule(f, NOW)).toEqual({});
    expect(toScheduleInput(f, 'prod-a').items).toStrictEqual([
      { namespace: 'shop', workload: 'checkout' },
      { namespace: 'shop', workload: 'db', kind: 'StatefulSet' },
      { namespace: 'kube-ops', workload: 'node-agent', kind: 'DaemonSet' },
    ]);
  });

  test('a scale schedule naming a DaemonSet is refused: it has no replicas', () => {
    const f = {
      ...emptyScheduleForm('UTC'),
      name: 'n',
      kind: 'cron' as const,
      replicas: '2',
      workloads: ['shop/StatefulSet/db', 'shop/DaemonSet/agent'],
    };
    expect(validateSchedule(f, NOW).items).toBe(
      'DaemonSets have no replicas: restart them in another schedule, or remove them here'
    );
    expect(validateSchedule({ ...f, workloads: ['shop/StatefulSet/db'] }, NOW)).toEqual({});
  });

  test('backend fields map onto the form', () => {
    expect(formFieldOf('runAt')).toBe('runAt');
    expect(formFieldOf('items[2].replicas')).toBe('replicas');
    expect(formFieldOf('items[0].workload')).toBe('items');
    expect(formFieldOf('somethingElse')).toBeUndefined();
  });
});

describe('formFromSchedule', () => {
  test('a schedule read back into the form gives the same body again', () => {
    const s = schedule({ intervalSeconds: 5, temporary: true });
    const form = formFromSchedule(s);
    if ('unsupported' in form) {
      throw new Error(form.unsupported);
    }
    const { id, version, nextRunAt, createdBy, createdAt, updatedBy, updatedAt, ...input } = s;
    expect(toScheduleInput(form, s.cluster)).toEqual(input);
  });

  test('a cron collect schedule keeps its days and expression', () => {
    const s = schedule({ action: 'collect', kind: 'cron', runAt: null, cron: '0 1 * * *', items: [], days: 3 });
    expect(formFromSchedule(s)).toMatchObject({
      action: 'collect',
      kind: 'cron',
      cron: '0 1 * * *',
      days: '3',
      runAt: '',
    });
  });

  test('items of other kinds are read back as namespace/Kind/name and keep their kind', () => {
    const s = schedule({
      action: 'restart',
      items: [
        { namespace: 'shop', workload: 'db', kind: 'StatefulSet' },
        { namespace: 'shop', workload: 'web' },
      ],
    });
    const form = formFromSchedule(s);
    if ('unsupported' in form) {
      throw new Error(form.unsupported);
    }
    expect(form.workloads).toEqual(['shop/StatefulSet/db', 'shop/web']);
    expect(toScheduleInput(form, s.cluster).items).toStrictEqual(s.items);
  });

  test('different replica counts per workload cannot be shown', () => {
    const s = schedule({
      items: [
        { namespace: 'a', workload: 'x', replicas: 1 },
        { namespace: 'a', workload: 'y', replicas: 2 },
      ],
    });
    expect(formFromSchedule(s)).toEqual({ unsupported: expect.stringContaining('different replica counts') });
  });
});
