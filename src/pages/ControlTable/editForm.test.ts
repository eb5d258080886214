import { controlRow } from '../../testing/fixtures';
import { emptyForm, formFromRow, formKeyOfField, parseInteger, toCreate, toUpdate, validate } from './editForm';

describe('control-table edit form', () => {
  test.each([
    ['a plain number', '12', 0, 100, 12],
    ['-1 where allowed', '-1', -1, 100, -1],
    ['spaces around', ' 7 ', 0, 100, 7],
    ['a decimal', '1.5', 0, 100, undefined],
    ['below the minimum', '-2', -1, 100, undefined],
    ['above the maximum', '101', 0, 100, undefined],
    ['not a number', '3m', 0, 100, undefined],
    ['empty', '', 0, 100, undefined],
  ])('parseInteger: %s', (_name, value, min, max, want) => {
    expect(parseInteger(value, min, max)).toBe(want);
  });

  test('an unchanged row validates and produces no update', () => {
    const row = controlRow();
    const form = formFromRow(row);
    expect(validate(form, false)).toEqual({});
    expect(toUpdate(form, row)).toBeUndefined();
  });

  test('editing allows -1 (follow the recommendation) and 0 replicas; adding needs ≥ 0', () => {
    const form = { ...formFromRow(controlRow()), replicasManual: '-1' };
    expect(validate(form, false)).toEqual({});
    expect(validate({ ...emptyForm(), replicasManual: '-1' }, true).replicasManual).toBe(
      'A whole number of replicas from 0 to 100000'
    );
    expect(validate({ ...form, replicasManual: '0' }, false)).toEqual({});
  });

  test('a request above its limit is refused; an unset limit allows any request', () => {
    const form = formFromRow(controlRow());
    form.containers[0].memRequestMiB = '4096';
    expect(validate(form, false)).toEqual({
      'containers[0].memRequestMiB': 'The request (4096) is above the limit (2048)',
    });
    form.containers[0].memLimitMiB = '-1';
    expect(validate(form, false)).toEqual({});
  });

  test('adding checks names and requires every value', () => {
    const form = { ...emptyForm(), namespace: 'Shop', workload: 'web_1' };
    form.containers.push({ ...form.containers[0] });
    expect(Object.keys(validate(form, true)).sort()).toEqual([
      'containers[0].cpuLimitMillis',
      'containers[0].cpuRequestMillis',
      'containers[0].memLimitMiB',
      'containers[0].memRequestMiB',
      'containers[1].cpuLimitMillis',
      'containers[1].cpuRequestMillis',
      'containers[1].memLimitMiB',
      'containers[1].memRequestMiB',
      'containers[1].name',
      'namespace',
      'workload',
    ]);
  });

  test('the update carries only changed containers and fields', () => {
    const row = controlRow({
      containers: [...controlRow().containers!, { ...controlRow().containers![0], name: 'sidecar' }],
    });
    const form = formFromRow(row);
    form.containers[1].cpuLimitMillis = '500';
    expect(toUpdate(form, row)).toEqual({ expectedVersion: 4, containers: [{ name: 'sidecar', cpuLimitMillis: 500 }] });
  });

  test('a limit of 0 is refused: limits are -1 or at least 1; a request of 0 is fine', () => {
    const form = formFromRow(controlRow());
    form.containers[0].cpuLimitMillis = '0';
    form.containers[0].cpuRequestMillis = '0';
    expect(validate(form, false)).toEqual({ 'containers[0].cpuLimitMillis': 'A limit is -1 (unset) or at least 1' });
  });

  test('a value handed back to the collection is sent as resetToCollected, not as a number', () => {
    const row = controlRow();
    const form = formFromRow(row);
    form.containers[0].reset = ['memLimitMiB'];
    form.containers[0].memLimitMiB = 'not even a number';
    expect(validate(form, false)).toEqual({});
    expect(toUpdate(form, row)).toEqual({
      expectedVersion: 4,
      containers: [{ name: 'app', resetToCollected: ['memLimit'] }],
    });
  });

  test('a new row is posted with numbers', () => {
    const form = { ...emptyForm(), namespace: ' shop ', workload: 'web' };
    form.containers[0] = {
      name: 'app',
      cpuRequestMillis: '100',
      cpuLimitMillis: '-1',
      memRequestMiB: '64',
      memLimitMiB: '128',
    };
    expect(toCreate(form, 'prod-a')).toEqual({
      cluster: 'prod-a',
      namespace: 'shop',
      workload: 'web',
      replicas: { manual: 1 },
      containers: [{ name: 'app', cpuRequestMillis: 100, cpuLimitMillis: -1, memRequestMiB: 64, memLimitMiB: 128 }],
    });
  });

  test("a backend field is mapped through the body's container index to the row's", () => {
    const row = controlRow({
      containers: [
        { ...controlRow().containers![0], name: 'app' },
        { ...controlRow().containers![0], name: 'sidecar' },
      ],
    });
    const sent = { expectedVersion: 4, containers: [{ name: 'sidecar', cpuLimitMillis: 1 }] };
    expect(formKeyOfField('containers[0].cpuLimitMillis', sent, row)).toBe('containers[1].cpuLimitMillis');
    expect(formKeyOfField('replicas.manual')).toBe('replicasManual');
    expect(formKeyOfField('replicasManual')).toBe('replicasManual');
  });
});
