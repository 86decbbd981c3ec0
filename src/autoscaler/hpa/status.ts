/**
 * The HPA as `kubectl get hpa` and `kubectl describe hpa` show it: status.currentMetrics (what
 * computeStatusFor*Metric in pkg/controller/podautoscaler/horizontal.go stores), formatted by kubectl's
 * formatHPAMetrics (kubectl pkg/printers/internalversion/printers.go); Quantity.String()'s canonical form
 * (apimachinery pkg/api/resource/quantity.go); the controller's events and kubectl's event ages
 * (apimachinery pkg/util/duration.HumanDuration).
 */
import { type MetricSpec, toMilli } from '../../scenario/cluster-schema.js';

/** One metric's status.currentMetrics entry (MetricValueStatus), milli-units; undefined fields were not set. */
export interface MetricStatus {
  averageUtilization?: number;
  averageValueMilli?: number;
  valueMilli?: number;
}

const DECIMAL_SUFFIX: Record<number, string> = { 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * Quantity.String() of a DecimalSI quantity of `milli` milli-units: the largest power-of-1000 suffix that
 * keeps the mantissa whole (150m, 2, 1500m, 3k). `binary` (a quantity written with Ki/Mi/Gi…) uses the
 * largest power of 1024 instead, as a BinarySI quantity prints (512Mi, 1Gi, 1536).
 */
export function formatQuantity(milli: number, binary = false): string {
  if (milli === 0) return '0';
  const sign = milli < 0 ? '-' : '';
  const a = Math.abs(milli);
  if (a % 1000 !== 0) return `${sign}${a}m`;
  let n = a / 1000;
  if (binary) {
    let k = 0;
    while (k < BINARY_SUFFIX.length - 1 && n % 1024 === 0) {
      n /= 1024;
      k++;
    }
    return `${sign}${n}${BINARY_SUFFIX[k]}`;
  }
  let e = 0;
  while (e < 18 && n % 1000 === 0) {
    n /= 1000;
    e += 3;
  }
  return `${sign}${n}${DECIMAL_SUFFIX[e]}`;
}

/** A spec's target quantity as its Quantity.String(): binary when it was written with a binary suffix. */
function targetString(q: number | string): string {
  const binary = typeof q === 'string' && /[KMG]i$/.test(q);
  return formatQuantity(toMilli(q), binary);
}

const q = (milli: number | undefined) => (milli === undefined ? '<unknown>' : formatQuantity(milli));

/**
 * formatHPAMetrics: each metric as current/target in spec order (`cpu: 93%/60%`, `cpu: 150m/200m`,
 * `5/10 (avg)` for an Object or External AverageValue target, `<unknown>` for a metric with no status),
 * at most two, then `+ N more...`; `<none>` without metrics. `statuses[i]` undefined: not computed.
 */
export function formatHpaMetrics(
  specs: readonly MetricSpec[],
  statuses: readonly (MetricStatus | undefined)[],
): string {
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  specs.forEach((spec, i) => {
    const st = statuses[i];
    switch (spec.type) {
      case 'External':
      case 'Object': {
        const t = spec.type === 'External' ? spec.external.target : spec.object.target;
        if (t.averageValue !== undefined) {
          list.push(`${q(st?.averageValueMilli)}/${targetString(t.averageValue)} (avg)`);
        } else list.push(`${q(st?.valueMilli)}/${targetString(t.value!)}`);
        break;
      }
      case 'Pods':
        list.push(`${q(st?.averageValueMilli)}/${targetString(spec.pods.target.averageValue!)}`);
        break;
      case 'Resource':
      case 'ContainerResource': {
        const r = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        if (r.target.averageValue !== undefined) {
          list.push(`${r.name}: ${q(st?.averageValueMilli)}/${targetString(r.target.averageValue)}`);
        } else {
          const cur = st?.averageUtilization === undefined ? '<unknown>' : `${st.averageUtilization}%`;
          const target = r.target.averageUtilization === undefined ? '<auto>' : `${r.target.averageUtilization}%`;
          list.push(`${r.name}: ${cur}/${target}`);
        }
        break;
      }
      default: {
        const unhandled: never = spec;
        throw new Error(`hpa: unhandled metric source ${JSON.stringify(unhandled)}`);
      }
    }
  });
  const maximum = 2;
  if (list.length > maximum) return `${list.slice(0, maximum).join(', ')} + ${list.length - maximum} more...`;
  return list.join(', ');
}

/** One event the HPA controller records (eventRecorder.Event / Eventf). */
export interface HpaEvent {
  tS: number;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** duration.HumanDuration: how kubectl writes an age (45s, 2m30s, 12m, 3h20m, 2d5h). */
export function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 10) return s % 60 === 0 ? `${minutes}m` : `${minutes}m${s % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(s / 3600);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/**
 * The Events table of `kubectl describe hpa`, as if described at `nowS` (the run's end): identical events
 * (type, reason, message) are one row, as the event correlator counts them, with its age
 * `last (xN over first)`; rows in order of their last occurrence.
 */
export function describeEvents(events: readonly HpaEvent[], nowS: number): string {
  if (events.length === 0) return 'Events:  <none>\n';
  const rows = new Map<string, { e: HpaEvent; first: number; last: number; count: number }>();
  for (const e of events) {
    const key = `${e.type}\u0000${e.reason}\u0000${e.message}`;
    const r = rows.get(key);
    if (r) {
      r.last = e.tS;
      r.count++;
    } else rows.set(key, { e, first: e.tS, last: e.tS, count: 1 });
  }
  const sorted = [...rows.values()].sort((a, b) => a.last - b.last || a.first - b.first);
  const table = [
    ['Type', 'Reason', 'Age', 'From', 'Message'],
    ['----', '------', '----', '----', '-------'],
  ];
  for (const r of sorted) {
    const first = humanDuration(nowS - r.first);
    const age = r.count > 1 ? `${humanDuration(nowS - r.last)} (x${r.count} over ${first})` : first;
    table.push([r.e.type, r.e.reason, age, 'horizontal-pod-autoscaler', r.e.message]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const pad = (row: string[]) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!)));
  const lines = table.map((row) => `  ${pad(row).join('  ')}`.trimEnd());
  return `Events:\n${lines.join('\n')}\n`;
}
