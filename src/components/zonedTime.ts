// Wall-clock arithmetic in IANA time zones with nothing but Intl, so that a schedule's "10:00 in
// Asia/Shanghai" or "today in the cluster's zone" is computed the same in every browser.

const partsCache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

export interface WallTime {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

/** The wall-clock reading of instant `ms` in `timeZone`. */
export function wallTimeAt(ms: number, timeZone: string): Required<WallTime> {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') {
      parts[p.type] = Number(p.value);
    }
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour % 24,
    minute: parts.minute,
    second: parts.second,
  };
}

function wallAsUtcMs(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0);
}

/** How far `timeZone` is ahead of UTC at instant `ms`, in milliseconds. */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallAsUtcMs(wallTimeAt(whole, timeZone)) - whole;
}

/**
 * The instant whose wall-clock reading in `timeZone` is `w`. In a skipped hour (spring forward)
 * the answer is the reading shifted forward by the gap; in a repeated hour (fall back), the first.
 */
export function zonedToUtc(w: WallTime, timeZone: string): Date {
  const local = wallAsUtcMs(w);
  // The offset at the answer equals the offset at local - offset; two rounds settle DST edges.
  const first = local - zoneOffsetMs(local, timeZone);
  const second = local - zoneOffsetMs(first, timeZone);
  if (second === first) {
    // Prefer the earlier instant of a repeated hour.
    const earlier = local - zoneOffsetMs(first - 3600_000, timeZone);
    if (earlier < first && wallAsUtcMs(wallTimeAt(earlier, timeZone)) === local) {
      return new Date(earlier);
    }
    return new Date(first);
  }
  return new Date(Math.max(first, second));
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** YYYY-MM-DD of instant `ms` in `timeZone`. */
export function dayInZone(ms: number, timeZone: string): string {
  const w = wallTimeAt(ms, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** Parses YYYY-MM-DD; undefined when it is not a real calendar day. */
export function parseDay(day: string): { year: number; month: number; day: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) {
    return undefined;
  }
  const [year, month, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(year, month - 1, d));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== d) {
    return undefined;
  }
  return { year, month, day: d };
}

/** `day` plus `n` calendar days (n may be negative). */
export function addDays(day: string, n: number): string {
  const p = parseDay(day);
  if (!p) {
    throw new Error(`not a day: ${day}`);
  }
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + n));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** The instant `day` starts in `timeZone`. */
export function startOfDay(day: string, timeZone: string): Date {
  const p = parseDay(day);
  if (!p) {
    throw new Error(`not a day: ${day}`);
  }
  return zonedToUtc({ ...p, hour: 0, minute: 0 }, timeZone);
}

/** Whether `timeZone` is an IANA name this browser knows. */
export function isTimeZone(timeZone: string): boolean {
  if (!timeZone) {
    return false;
  }
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}
