/**
 * Explanations: the regimes a run fell into, each with its time window and the evidence, read from the
 * run's own outputs (the timeseries columns, the HPA's sync records and the summary). A p99 of 4 s at 22 %
 * utilisation means something — Ps stranded in blocking syscalls, a CFS quota, a scale-up waiting on pods
 * that are not Ready — and an SRE should be told which, and when.
 *
 * Each detector is a rule over the rows of one sample interval, kept for at least `minRows` consecutive
 * rows (gaps of one row are bridged, as a brief dip does not end an overload). Detectors whose columns a
 * run does not have (no HPA, the ideal-FIFO scheduler) find nothing. Pure: tables in, regimes out.
 */

export const REGIME_KINDS = [
  'overload',
  'syscall-backlog',
  'cfs-throttling',
  'mark-assist',
  'pods-not-ready',
  'pool-exhaustion',
  'netpoll-delay',
  'hpa-at-max',
  'hpa-metrics-unavailable',
  'hpa-limited-by-behavior',
  'hpa-scale-down-stabilized',
] as const;
export type RegimeKind = (typeof REGIME_KINDS)[number];

export interface Regime {
  kind: RegimeKind;
  /** Simulated seconds: the first and last sample interval (end times) in the regime. */
  fromS: number;
  toS: number;
  /** What the regime is, in the runtime's or the controller's own terms. */
  what: string;
  /** The figures that show it, over the window. */
  evidence: string;
}

/** One HPA sync as hpa_decisions.csv has it. */
export interface HpaSync {
  tS: number;
  currentReplicas: number;
  desiredReplicas: number;
  proposals: string;
  ableToScale: string;
  scalingActive: string;
  scalingLimited: string;
}

export interface RunTables {
  columns: readonly string[];
  rows: readonly (readonly number[])[];
  hpa?: readonly HpaSync[];
  minReplicas?: number;
  maxReplicas?: number;
  /** The handler's own median time (summary.serviceMs.p50), ms. */
  serviceP50Ms: number;
  /** Ps per pod. */
  gomaxprocs: number;
}

type Row = (name: string) => number;

interface SeriesDetector {
  /** Columns the rule reads; a run without them has nothing to detect. */
  needs: string[];
  minRows: number;
  what: string;
  holds: (r: Row, t: RunTables) => boolean;
  /** A check over the whole window (every row of it, from first to last), when one row cannot tell. */
  confirms?: (window: Row[]) => boolean;
  evidence: (rows: Row[], t: RunTables) => string;
}

interface HpaDetector {
  needsHpa: true;
  minRows: number;
  what: string;
  holds: (s: HpaSync, t: RunTables) => boolean;
  evidence: (syncs: HpaSync[], t: RunTables) => string;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), -Infinity);
const fmt = (x: number) =>
  Number.isInteger(x)
    ? String(x)
    : Math.abs(x) >= 100
      ? x.toFixed(0)
      : Math.abs(x) >= 10
        ? x.toFixed(1)
        : x.toPrecision(2);
const ms = (x: number) => (x >= 1000 ? `${fmt(x / 1000)} s` : `${fmt(x)} ms`);
/** hpa_decisions.csv's proposals: one per metric in spec order, space-separated ("" for an invalid one). */
const proposalsOf = (s: HpaSync) =>
  s.proposals
    .split(' ')
    .filter((x) => x !== '')
    .map(Number)
    .filter(Number.isFinite);

/**
 * Summed over the run's dependencies (each pool's columns are named after its dependency: pool_db_waiting,
 * pool_db_wait_ms_per_s): requests waiting for a connection now, and the pool wait they accrued per second.
 */
const POOL_WAITING = 'pool_*_waiting';
const POOL_WAIT_MS = 'pool_*_wait_ms_per_s';
const SUMMED: Record<string, RegExp> = {
  [POOL_WAITING]: /^pool_.+_waiting$/,
  [POOL_WAIT_MS]: /^pool_.+_wait_ms_per_s$/,
};

const series = (d: SeriesDetector) => d;
const hpaRule = (d: HpaDetector) => d;

/** Each kind's rule; a kind added to REGIME_KINDS without one does not compile. */
const DETECTORS: Record<RegimeKind, SeriesDetector | HpaDetector> = {
  overload: series({
    needs: ['arrivals_per_s', 'completions_per_s', 'in_flight'],
    minRows: 3,
    what: 'arrivals above capacity: requests arrive faster than the pods complete them and queue up',
    holds: (r) => r('arrivals_per_s') > 1.1 * r('completions_per_s') && r('in_flight') > 0,
    // A queue that builds: more in flight at the end than at the start (alternating seconds of backlog
    // and catch-up, bridged into one window, are not an overload).
    confirms: (w) => w.at(-1)!('in_flight') >= 1.5 * w[0]!('in_flight') + 10,
    evidence: (rows) =>
      `arrivals ${fmt(mean(rows.map((r) => r('arrivals_per_s'))))}/s against ` +
      `completions ${fmt(mean(rows.map((r) => r('completions_per_s'))))}/s; ` +
      `in flight ${fmt(rows[0]!('in_flight'))} → ${fmt(rows.at(-1)!('in_flight'))}`,
  }),
  'syscall-backlog': series({
    needs: ['in_syscall', 'runnable', 'latency_p50_ms', 'utilization'],
    minRows: 3,
    what:
      'Ps stranded in blocking syscalls while runnable Gs wait (sysmon retakes a P only after it has seen the same ' +
      'syscalltick twice; at its 10 ms back-off it may never do). A network call (database over TCP) is a netpoll ' +
      'wait, not a blocking syscall: check which step models it',
    // The signature: Gs wait to run (the median request waits longer than it is served) while the Ps are
    // mostly idle — they are held by Ms in syscalls, not busy.
    holds: (r, t) =>
      r('in_syscall') >= 1 &&
      r('runnable') >= 1 &&
      r('utilization') < 0.5 &&
      r('latency_p50_ms') > 2 * Math.max(t.serviceP50Ms, 0.001),
    evidence: (rows, t) =>
      `p50 ${ms(mean(rows.map((r) => r('latency_p50_ms'))))} against a ${ms(t.serviceP50Ms)} median service time at ` +
      `${fmt(100 * mean(rows.map((r) => r('utilization'))))} % ` +
      `CPU; ${fmt(mean(rows.map((r) => r('in_syscall'))))} Gs in syscalls and ` +
      `${fmt(mean(rows.map((r) => r('runnable'))))} runnable on average`,
  }),
  'cfs-throttling': series({
    needs: ['throttled_ms_per_s', 'throttled_periods_per_s', 'replicas_ready'],
    minRows: 2,
    what:
      'CFS throttling: the pods spend their CPU quota early in each period and every M stalls until the ' +
      'next (GOMAXPROCS above the limit makes it worse)',
    // The columns sum over pods: at least 10 ms of every second throttled, per Ready pod.
    holds: (r) => r('throttled_periods_per_s') > 0 && r('throttled_ms_per_s') >= 10 * Math.max(1, r('replicas_ready')),
    evidence: (rows) =>
      `${ms(mean(rows.map((r) => r('throttled_ms_per_s') / Math.max(1, r('replicas_ready')))))} of each second ` +
      `throttled per pod, ` +
      `${fmt(mean(rows.map((r) => r('throttled_periods_per_s'))))} throttled periods/s in all` +
      (rows[0]!('latency_p99_ms') >= 0 ? `; p99 up to ${ms(max(rows.map((r) => r('latency_p99_ms'))))}` : ''),
  }),
  'mark-assist': series({
    needs: ['gc_assist_ms_per_s', 'replicas_ready'],
    minRows: 2,
    what:
      'GC mark assist: goroutines allocating during a mark phase pay for scanning in proportion to their ' +
      'allocation (gcAssistAlloc), so allocation-heavy requests slow down',
    holds: (r, t) => r('gc_assist_ms_per_s') >= 0.05 * 1000 * t.gomaxprocs * Math.max(1, r('replicas_ready')),
    evidence: (rows, t) =>
      `assists take ${fmt(
        100 * mean(rows.map((r) => r('gc_assist_ms_per_s') / (1000 * t.gomaxprocs * Math.max(1, r('replicas_ready'))))),
      )} % of the Ps' time` + `, ${ms(mean(rows.map((r) => r('gc_assist_ms_per_s'))))} per second`,
  }),
  'pods-not-ready': series({
    needs: ['replicas_desired', 'replicas_ready'],
    minRows: 2,
    what:
      'pods not Ready: the Deployment wants more pods than serve (start-up, readiness, Pending for room), ' +
      'so the ready ones carry the load',
    holds: (r) => r('replicas_desired') > r('replicas_ready'),
    evidence: (rows) =>
      `desired ${fmt(rows[0]!('replicas_desired'))} → ${fmt(rows.at(-1)!('replicas_desired'))}, ` +
      `ready ${fmt(rows[0]!('replicas_ready'))} → ${fmt(rows.at(-1)!('replicas_ready'))}` +
      (rows[0]!('pods_pending') > 0 ? `; ${fmt(max(rows.map((r) => r('pods_pending'))))} Pending at most` : ''),
  }),
  'pool-exhaustion': series({
    needs: [POOL_WAITING, POOL_WAIT_MS],
    minRows: 2,
    what:
      "connection pool exhaustion: every connection a pod's pool may open is in use and requests wait for one " +
      "(database/sql's conn() queues on connRequests; net/http's MaxConnsPerHost). More CPU or more pods per " +
      'dependency connection does not help; a larger pool does, if the dependency has room',
    // Requests queue for connections: at least one waits at every sample, and together they wait at least
    // a tenth of each second.
    holds: (r) => r(POOL_WAITING) >= 1 && r(POOL_WAIT_MS) >= 100,
    evidence: (rows) =>
      `${fmt(mean(rows.map((r) => r(POOL_WAITING))))} requests waiting for a connection on average, ` +
      `${ms(mean(rows.map((r) => r(POOL_WAIT_MS))))} of pool wait per second` +
      (rows[0]!('latency_p99_ms') >= 0 ? `; p99 up to ${ms(max(rows.map((r) => r('latency_p99_ms'))))}` : ''),
  }),
  'netpoll-delay': series({
    needs: ['netpoll_ready_per_s', 'netpoll_delay_ms_per_s'],
    minRows: 3,
    what:
      'netpoll delay: goroutines the network made ready wait long before an M takes them. findRunnable ' +
      '(proc.go) polls the network only when its P finds no other work — local and global run queues ' +
      'empty — and otherwise only sysmon polls it, once the last poll is over 10 ms old; Ps busy with queued ' +
      'work leave ready Gs (arriving requests, answered calls) in the poller. More Ps, or less CPU per request, ' +
      'shortens it',
    // Gs arrive through the poller at a real rate and wait there 5 ms on average: half of sysmon's 10 ms poll
    // period. A wait of a scheduling quantum for a busy P is ordinary CPU queueing; waits on sysmon's scale
    // say the Ps never run out of queued work, so only sysmon's poll takes Gs from the poller.
    holds: (r) => r('netpoll_ready_per_s') >= 10 && r('netpoll_delay_ms_per_s') >= 5 * r('netpoll_ready_per_s'),
    evidence: (rows) =>
      `${ms(mean(rows.map((r) => r('netpoll_delay_ms_per_s') / r('netpoll_ready_per_s'))))} from ready to runnable ` +
      `on average (up to ${ms(max(rows.map((r) => r('netpoll_delay_ms_per_s') / r('netpoll_ready_per_s'))))} ` +
      `in one interval), ${fmt(mean(rows.map((r) => r('netpoll_ready_per_s'))))} Gs/s through the poller` +
      (rows[0]!('latency_p99_ms') >= 0 ? `; p99 up to ${ms(max(rows.map((r) => r('latency_p99_ms'))))}` : ''),
  }),
  'hpa-at-max': hpaRule({
    needsHpa: true,
    minRows: 2,
    what:
      'the HPA pinned at maxReplicas: its metrics ask for more pods than it may create (ScalingLimited ' +
      'TooManyReplicas)',
    holds: (s, t) =>
      t.maxReplicas !== undefined && s.desiredReplicas >= t.maxReplicas && max(proposalsOf(s)) > t.maxReplicas,
    evidence: (syncs, t) =>
      `metrics asked for up to ${fmt(max(syncs.flatMap(proposalsOf)))} replicas; maxReplicas is ${t.maxReplicas}`,
  }),
  'hpa-metrics-unavailable': hpaRule({
    needsHpa: true,
    minRows: 1,
    what:
      'the HPA could not get its metrics (ScalingActive False): it keeps the current size and does not ' +
      'scale, whatever the load',
    // The sync at t = 0 precedes the first scrape (a new HPA's first sync fails the same way): not an outage.
    holds: (s) => s.tS > 0 && /^False\/FailedGet/.test(s.scalingActive),
    evidence: (syncs) =>
      `${syncs.length} sync${syncs.length === 1 ? '' : 's'} without metrics ` +
      `(${syncs[0]!.scalingActive.split('/')[1]}); replicas held at ${syncs[0]!.currentReplicas}`,
  }),
  'hpa-limited-by-behavior': hpaRule({
    needsHpa: true,
    minRows: 1,
    what: "the HPA's scaling rate limited by its behavior policies (ScalingLimited ScaleUpLimit / ScaleDownLimit)",
    holds: (s) => /^True\/Scale(Up|Down)Limit/.test(s.scalingLimited),
    evidence: (syncs) =>
      syncs
        .map(
          (s) => `${s.tS} s: ${s.currentReplicas} → ${s.desiredReplicas} (metrics asked ${fmt(max(proposalsOf(s)))})`,
        )
        .slice(0, 4)
        .join('; '),
  }),
  'hpa-scale-down-stabilized': hpaRule({
    needsHpa: true,
    minRows: 2,
    what:
      'a scale-down held back by the stabilization window (AbleToScale ScaleDownStabilized): the HPA keeps ' +
      'the highest recommendation of the window',
    // Held back by the window, not by minReplicas: the recommendation, clamped to min, is below the current size.
    holds: (s, t) =>
      s.ableToScale === 'True/ScaleDownStabilized' &&
      proposalsOf(s).length > 0 &&
      Math.max(max(proposalsOf(s)), t.minReplicas ?? 1) < s.currentReplicas,
    evidence: (syncs) =>
      `metrics asked for ${fmt(Math.min(...syncs.map((s) => max(proposalsOf(s)))))}–` +
      `${fmt(max(syncs.map((s) => max(proposalsOf(s)))))} replicas; ${syncs[0]!.currentReplicas} kept`,
  }),
};

/** Runs of indices where `holds` is true, one-index gaps bridged, at least `minRows` long. */
function runs(n: number, holds: (i: number) => boolean, minRows: number): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (!holds(i)) continue;
    if (start >= 0 && i - last <= 2) last = i;
    else {
      if (start >= 0 && last - start + 1 >= minRows) out.push([start, last]);
      start = last = i;
    }
  }
  if (start >= 0 && last - start + 1 >= minRows) out.push([start, last]);
  return out;
}

/** Every regime the run fell into, in time order (then by kind). */
export function detectRegimes(t: RunTables): Regime[] {
  const col = new Map(t.columns.map((c, i) => [c, i]));
  const tIdx = col.get('t_s') ?? 0;
  // A summed name reads the sum of the columns it matches (present when any is).
  const summed = new Map<string, number[]>();
  for (const [name, re] of Object.entries(SUMMED)) {
    const idx = t.columns.flatMap((c, i) => (re.test(c) ? [i] : []));
    if (idx.length > 0) summed.set(name, idx);
  }
  const has = (name: string) => col.has(name) || summed.has(name);
  const rowReader =
    (row: readonly number[]): Row =>
    (name) => {
      const idx = summed.get(name);
      if (idx) return idx.reduce((a, i) => a + (row[i] ?? 0), 0);
      return row[col.get(name) ?? -1] ?? Number.NaN;
    };
  const readers = t.rows.map(rowReader);
  const out: Regime[] = [];
  for (const kind of REGIME_KINDS) {
    const d = DETECTORS[kind];
    if ('needsHpa' in d) {
      const syncs = t.hpa ?? [];
      for (const [a, b] of runs(syncs.length, (i) => d.holds(syncs[i]!, t), d.minRows)) {
        const window = syncs.slice(a, b + 1);
        out.push({ kind, fromS: syncs[a]!.tS, toS: syncs[b]!.tS, what: d.what, evidence: d.evidence(window, t) });
      }
    } else {
      if (!d.needs.every(has)) continue;
      for (const [a, b] of runs(readers.length, (i) => d.holds(readers[i]!, t), d.minRows)) {
        if (d.confirms && !d.confirms(readers.slice(a, b + 1))) continue;
        const window = readers.slice(a, b + 1).filter((r) => d.holds(r, t));
        out.push({
          kind,
          fromS: t.rows[a]![tIdx]!,
          toS: t.rows[b]![tIdx]!,
          what: d.what,
          evidence: d.evidence(window, t),
        });
      }
    }
  }
  return out.sort((x, y) => x.fromS - y.fromS || REGIME_KINDS.indexOf(x.kind) - REGIME_KINDS.indexOf(y.kind));
}

/** One line per regime, for the terminal. */
export function formatRegime(r: Regime): string {
  return `${r.fromS}–${r.toS} s  ${r.kind}: ${r.evidence}`;
}
