// Pure model of the "new schedule" dialog: what the user typed → validated POST v1/schedules body.
import type { Schedule, ScheduleAction, ScheduleInput, ScheduleKind } from '../../api/types';
import { kindParam, parseWorkloadTarget, workloadTarget } from '../../api/workloadKind';
import { isTimeZone, wallTimeAt, zonedToUtc } from '../../components/zonedTime';

export interface ScheduleForm {
  name: string;
  action: ScheduleAction;
  kind: ScheduleKind;
  /** `YYYY-MM-DDTHH:MM` (a datetime-local value), read in `timeZone`. */
  runAt: string;
  cron: string;
  timeZone: string;
  /** Targets: "namespace/name" (Deployment) or "namespace/Kind/name". */
  workloads: string[];
  replicas: string;
  temporary: boolean;
  intervalSeconds: string;
  /** collect: days to collect. */
  days: string;
}

export type ScheduleErrors = Partial<Record<keyof ScheduleForm | 'items', string>>;

export function emptyScheduleForm(timeZone: string): ScheduleForm {
  return {
    name: '',
    action: 'scale',
    kind: 'once',
    runAt: '',
    cron: '0 9 * * 1-5',
    timeZone,
    workloads: [],
    replicas: '',
    temporary: false,
    intervalSeconds: '0',
    days: '1',
  };
}

/**
 * The form holding an existing schedule, or why the form cannot show it faithfully (it gives
 * one replica count to every workload; a schedule made through the API may not).
 */
export function formFromSchedule(s: Schedule): ScheduleForm | { unsupported: string } {
  const items = s.items ?? [];
  const counts = new Set(items.map((i) => i.replicas));
  if (s.action === 'scale' && counts.size > 1) {
    return { unsupported: 'Its workloads have different replica counts; edit it through the API' };
  }
  let runAt = '';
  if (s.kind === 'once' && s.runAt) {
    const w = wallTimeAt(Date.parse(s.runAt), s.timeZone);
    const pad = (n: number) => String(n).padStart(2, '0');
    runAt = `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
  }
  const replicas = s.action === 'scale' && items.length > 0 ? String(items[0].replicas ?? '') : '';
  return {
    ...emptyScheduleForm(s.timeZone),
    name: s.name,
    action: s.action,
    kind: s.kind,
    runAt,
    cron: s.kind === 'cron' ? s.cron : emptyScheduleForm(s.timeZone).cron,
    workloads: items.map((i) => workloadTarget(i.namespace, i.workload, i.kind)),
    replicas,
    temporary: s.temporary,
    intervalSeconds: String(s.intervalSeconds),
    days: String(s.days ?? 1),
  };
}

// One cron field: *, numbers, ranges, steps, lists and month/weekday names.
const CRON_FIELD = /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;

/**
 * A light shape check; the backend parses the expression for real (robfig/cron, 5 fields, no
 * @descriptors or CRON_TZ=) and names the field if not.
 */
export function cronShapeError(expr: string): string | undefined {
  const v = expr.trim();
  if (v.startsWith('@') || v.startsWith('CRON_TZ=') || v.startsWith('TZ=')) {
    return 'Write the five fields (e.g. 0 0 * * * for daily) and pick the time zone on the right';
  }
  const fields = v.split(/\s+/);
  if (fields.length !== 5) {
    return 'Five fields: minute hour day-of-month month day-of-week, e.g. 0 9 * * 1-5';
  }
  const bad = fields.find((f) => !CRON_FIELD.test(f));
  return bad ? `"${bad}" is not a cron field` : undefined;
}

const DATETIME_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** The instant a datetime-local value means in `timeZone`, or undefined. */
export function runAtInstant(value: string, timeZone: string): Date | undefined {
  const m = DATETIME_LOCAL.exec(value.trim());
  if (!m || !isTimeZone(timeZone)) {
    return undefined;
  }
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) {
    return undefined;
  }
  return zonedToUtc({ year, month, day, hour, minute }, timeZone);
}

const intIn = (v: string, min: number, max: number) => {
  const s = v.trim();
  if (!/^\d+$/.test(s)) {
    return undefined;
  }
  const n = Number(s);
  return n >= min && n <= max ? n : undefined;
};

export function validateSchedule(f: ScheduleForm, nowMs: number): ScheduleErrors {
  const e: ScheduleErrors = {};
  if (!f.name.trim()) {
    e.name = 'Give the schedule a name';
  } else if (f.name.trim().length > 100) {
    e.name = 'At most 100 characters';
  }
  if (!isTimeZone(f.timeZone.trim())) {
    e.timeZone = 'An IANA time zone name, e.g. Asia/Shanghai or UTC';
  }
  if (f.kind === 'once') {
    const at = runAtInstant(f.runAt, f.timeZone.trim());
    if (!at) {
      e.runAt = 'Pick a date and time';
    } else if (at.getTime() <= nowMs) {
      e.runAt = 'This time has already passed';
    }
  } else {
    const err = cronShapeError(f.cron);
    if (err) {
      e.cron = err;
    }
  }
  if (f.action !== 'collect' && f.workloads.length === 0) {
    e.items = 'Pick at least one workload';
  } else if (f.workloads.length > 100) {
    e.items = 'At most 100 workloads per schedule';
  } else if (f.action === 'scale' && f.workloads.some((w) => parseWorkloadTarget(w)?.kind === 'DaemonSet')) {
    e.items = 'DaemonSets have no replicas: restart them in another schedule, or remove them here';
  }
  if (f.action === 'collect' && intIn(f.days, 1, 400) === undefined) {
    e.days = 'From 1 to 400 days';
  }
  if (f.action === 'scale' && intIn(f.replicas, 0, 10000) === undefined) {
    e.replicas = 'A whole number of replicas from 0 to 10000';
  }
  if (intIn(f.intervalSeconds, 0, 60) === undefined) {
    e.intervalSeconds = 'A whole number of seconds from 0 to 60';
  }
  return e;
}

/** The POST body; call only when validateSchedule found nothing. */
export function toScheduleInput(f: ScheduleForm, cluster: string): ScheduleInput {
  const timeZone = f.timeZone.trim();
  const replicas = f.action === 'scale' ? Number(f.replicas.trim()) : undefined;
  return {
    cluster,
    name: f.name.trim(),
    action: f.action,
    kind: f.kind,
    runAt: f.kind === 'once' ? runAtInstant(f.runAt, timeZone)!.toISOString().replace('.000Z', 'Z') : null,
    cron: f.kind === 'cron' ? f.cron.trim().replace(/\s+/g, ' ') : '',
    timeZone,
    items:
      f.action === 'collect'
        ? []
        : f.workloads.map((target) => {
            const { namespace, workload, kind } = splitTarget(target);
            // kind only for non-Deployments: older backends take items without it.
            const item = { namespace, workload, ...(kindParam(kind) ? { kind } : {}) };
            return replicas === undefined ? item : { ...item, replicas };
          }),
    temporary: f.action === 'scale' && f.temporary,
    intervalSeconds: Number(f.intervalSeconds.trim()),
    ...(f.action === 'collect' ? { days: Number(f.days.trim()) } : {}),
    enabled: true,
  };
}

function splitTarget(target: string) {
  const parsed = parseWorkloadTarget(target);
  if (parsed) {
    return parsed;
  }
  // Not a target this UI writes: keep the text after the first "/" as the name, as before kinds.
  const i = target.indexOf('/');
  return { namespace: target.slice(0, i), workload: target.slice(i + 1), kind: undefined };
}

/** Maps the backend's 400 `field` (e.g. `items[0].replicas`) to a form field; undefined if none fits. */
export function formFieldOf(field: string): keyof ScheduleErrors | undefined {
  if (field.startsWith('items')) {
    return field.endsWith('replicas') ? 'replicas' : 'items';
  }
  const known: Array<keyof ScheduleErrors> = [
    'name',
    'runAt',
    'cron',
    'timeZone',
    'intervalSeconds',
    'action',
    'kind',
    'days',
  ];
  return known.find((k) => k === field);
}
