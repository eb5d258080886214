import { addDays, dayInZone, isTimeZone, parseDay, startOfDay, wallTimeAt, zonedToUtc } from './zonedTime';

describe('wall-clock time in IANA zones', () => {
  test.each([
    [
      'a fixed-offset zone',
      { year: 2026, month: 11, day: 22, hour: 10, minute: 0 },
      'Asia/Shanghai',
      '2026-11-22T02:00:00.000Z',
    ],
    ['UTC', { year: 2026, month: 1, day: 1, hour: 0, minute: 30 }, 'UTC', '2026-01-01T00:30:00.000Z'],
    [
      'a zone west of UTC in winter',
      { year: 2026, month: 1, day: 15, hour: 9, minute: 0 },
      'America/New_York',
      '2026-01-15T14:00:00.000Z',
    ],
    [
      'the same zone in summer',
      { year: 2026, month: 7, day: 15, hour: 9, minute: 0 },
      'America/New_York',
      '2026-07-15T13:00:00.000Z',
    ],
    // 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 → 03:00).
    [
      'a skipped hour moves forward by the gap',
      { year: 2026, month: 3, day: 8, hour: 2, minute: 30 },
      'America/New_York',
      '2026-03-08T07:30:00.000Z',
    ],
    // 2026-11-01 01:30 happens twice in New York; the first (EDT, UTC-4) is chosen.
    [
      'a repeated hour takes the first',
      { year: 2026, month: 11, day: 1, hour: 1, minute: 30 },
      'America/New_York',
      '2026-11-01T05:30:00.000Z',
    ],
    // 2026-10-25 02:30 happens twice in Berlin; the first guess lands on the second one (CET).
    [
      'a repeated hour east of UTC takes the first too',
      { year: 2026, month: 10, day: 25, hour: 2, minute: 30 },
      'Europe/Berlin',
      '2026-10-25T00:30:00.000Z',
    ],
    [
      'a half-hour zone',
      { year: 2026, month: 6, day: 1, hour: 12, minute: 0 },
      'Asia/Kolkata',
      '2026-06-01T06:30:00.000Z',
    ],
  ])('%s', (_name, wall, zone, want) => {
    expect(zonedToUtc(wall, zone).toISOString()).toBe(want);
  });

  test('wallTimeAt is the inverse of zonedToUtc for an ordinary time', () => {
    const at = zonedToUtc({ year: 2026, month: 11, day: 22, hour: 23, minute: 45 }, 'Europe/Berlin');
    expect(wallTimeAt(at.getTime(), 'Europe/Berlin')).toEqual({
      year: 2026,
      month: 11,
      day: 22,
      hour: 23,
      minute: 45,
      second: 0,
    });
  });

  test('the day of an instant depends on the zone', () => {
    const ms = Date.parse('2026-11-22T20:00:00Z');
    expect(dayInZone(ms, 'UTC')).toBe('2026-11-22');
    expect(dayInZone(ms, 'Asia/Shanghai')).toBe('2026-11-23');
    expect(startOfDay('2026-11-23', 'Asia/Shanghai').toISOString()).toBe('2026-11-22T16:00:00.000Z');
  });

  test('day arithmetic crosses months and years and rejects non-days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(parseDay('2026-02-30')).toBeUndefined();
    expect(parseDay('26-1-1')).toBeUndefined();
    expect(() => addDays('nope', 1)).toThrow('not a day');
  });

  test('time zone names are checked against the browser', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
