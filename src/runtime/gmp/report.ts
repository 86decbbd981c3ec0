import type { Column } from '../pod-runtime.js';
import type { Sched } from './sched.js';
import { Gsyscall, Gwaiting, Mparked } from './states.js';

const MiB = 1 << 20;

/** summary.json's `gmp` block: what one pod's Go runtime did over the run. */
export interface GmpSummary {
  threads: number;
  goroutinesCreated: number;
  steals: number;
  stolenGs: number;
  preemptions: number;
  handoffs: number;
  syscalls: number;
  sysmonLoopsEvaluated: number;
  /** Lateness of timers (time.Sleep): due → run by checkTimers. */
  timerDelayMs: { count: number; mean: number; p50: number; p99: number; max: number };
  /** CFS bandwidth control (when runtime.cpuLimitCores is set): cpu.stat's nr_periods, nr_throttled, throttled_time. */
  cpuThrottling?: { periods: number; throttledPeriods: number; throttledMs: number };
  /** NUMA (runtime.numa.nodes > 1): steals across nodes; share of CPU work run away from its memory. */
  numa?: { crossNodeSteals: number; remoteWorkFraction: number };
  /** Goroutine stacks at the end, and growth (copystack) and GC shrinking over the run. */
  stacks: { bytesMB: number; growths: number; shrinks: number; copiedMB: number };
  /**
   * Live GOMAXPROCS changes (runtime.GOMAXPROCS, procresize.ts), when any was made: the setting at the end,
   * changes, Ps destroyed and made, Gs the stop preempted, Gs and timers moved, total stop-the-world ms.
   */
  procresize?: {
    gomaxprocs: number;
    changes: number;
    destroyedPs: number;
    createdPs: number;
    preemptedGs: number;
    movedGs: number;
    movedTimers: number;
    stwMs: number;
  };
  /** The garbage collector (when the workload allocates). */
  gc?: {
    cycles: number;
    stwPauseMs: { count: number; p50: number; p99: number; max: number };
    stwPauseHistogramUs: { le: (number | '+Inf')[]; cumulativeCounts: number[]; count: number; sum: number };
    /** GC CPU (STW, assists, workers incl. idle) / CPU available (GOMAXPROCS × time), as gctrace's %. */
    gcCpuFraction: number;
    assistFraction: number;
    /** Share of time a mark phase was on. */
    markPhaseFraction: number;
    heapGoalMB: number;
    peakRssMB: number;
  };
}

/** The summary block of one pod's Go runtime (summary.json's `gmp`). */
export function gmpSummary(s: Sched): GmpSummary {
  return {
    threads: s.mcount + 1,
    goroutinesCreated: s.stats.gCreated,
    steals: s.stats.steals,
    stolenGs: s.stats.stolenGs,
    preemptions: s.stats.preemptions,
    handoffs: s.stats.handoffs,
    syscalls: s.stats.syscalls,
    sysmonLoopsEvaluated: s.sysmon.evaluations,
    timerDelayMs: (() => {
      const log = s.stats.timerDelayMs;
      const [p50, p99] = log.quantiles([0.5, 0.99]);
      return { count: log.count, mean: log.mean(), p50: p50!, p99: p99!, max: log.max() };
    })(),
    ...(s.gc ? { gc: gcSummary(s) } : {}),
    stacks: {
      bytesMB: s.mem.stackBytes() / MiB,
      growths: s.mem.stackStats.growths,
      shrinks: s.mem.stackStats.shrinks,
      copiedMB: s.mem.stackStats.copiedBytes / MiB,
    },
    ...(s.numa
      ? {
          numa: {
            crossNodeSteals: s.numa.crossNodeSteals,
            remoteWorkFraction: s.numa.workNs > 0 ? s.numa.remoteWorkNs / s.numa.workNs : 0,
          },
        }
      : {}),
    ...(s.cfs
      ? {
          cpuThrottling: {
            periods: s.cfs.periods,
            throttledPeriods: s.cfs.throttledPeriods,
            throttledMs: s.cfs.throttledNs() / 1e6,
          },
        }
      : {}),
    ...(s.procresize
      ? {
          procresize: {
            gomaxprocs: s.nP,
            changes: s.procresize.resizes,
            destroyedPs: s.procresize.destroyed,
            createdPs: s.procresize.created,
            preemptedGs: s.procresize.preempted,
            movedGs: s.procresize.movedGs,
            movedTimers: s.procresize.movedTimers,
            stwMs: s.procresize.stwNs / 1e6,
          },
        }
      : {}),
  };
}

function gcSummary(s: Sched): NonNullable<GmpSummary['gc']> {
  const gc = s.gc!;
  const [p50, p99] = gc.stwPauseMs.quantiles([0.5, 0.99]);
  const now = s.sim.now;
  return {
    cycles: gc.cycles,
    stwPauseMs: { count: gc.stwPauseMs.count, p50: p50!, p99: p99!, max: gc.stwPauseMs.max() },
    stwPauseHistogramUs: gc.stwPauseHistUs.toJSON(),
    gcCpuFraction: gc.gcCpuFraction(now),
    /** Assist CPU / all CPU the pod used. */
    assistFraction: s.busyIntegralNs() > 0 ? gc.assistNs / s.busyIntegralNs() : 0,
    markPhaseFraction: now > 0 ? gc.markPhaseNs / now : 0,
    heapGoalMB: gc.pacer.heapGoal / MiB,
    peakRssMB: s.mem.peakRssBytes / MiB,
  };
}

/**
 * timeseries.csv's columns of the Go runtime, in order: gauges are summed over live pods; counters over
 * every pod that ever ran, and the sampler writes them as `<name>_per_s` rates.
 */
export const GMP_COLUMNS: readonly Column<Sched>[] = [
  { name: 'global_runq', kind: 'gauge', read: (s) => s.rq.runqsize },
  { name: 'local_runq', kind: 'gauge', read: (s) => s.rq.totalQueued() - s.rq.runqsize },
  { name: 'in_syscall', kind: 'gauge', read: (s) => s.countGs(Gsyscall) },
  { name: 'waiting', kind: 'gauge', read: (s) => s.countGs(Gwaiting) },
  { name: 'goroutines', kind: 'gauge', read: (s) => s.liveGs() },
  { name: 'threads', kind: 'gauge', read: (s) => s.mcount + 1 },
  { name: 'idle_threads', kind: 'gauge', read: (s) => s.mCountIn(Mparked) },
  { name: 'spinning_threads', kind: 'gauge', read: (s) => s.nmspinning },
  { name: 'steals', kind: 'counter', read: (s) => s.stats.steals },
  { name: 'preemptions', kind: 'counter', read: (s) => s.stats.preemptions },
  { name: 'handoffs', kind: 'counter', read: (s) => s.stats.handoffs },
  { name: 'throttled_periods', kind: 'counter', read: (s) => s.cfs?.throttledPeriods ?? 0 },
  { name: 'throttled_ms', kind: 'counter', read: (s) => (s.cfs?.throttledNs() ?? 0) / 1e6 },
  { name: 'heap_live_mb', kind: 'gauge', read: (s) => (s.gc?.heapLive ?? 0) / MiB },
  {
    name: 'heap_goal_mb',
    kind: 'gauge',
    read: (s) => (s.gc && Number.isFinite(s.gc.pacer.heapGoal) ? s.gc.pacer.heapGoal / MiB : 0),
  },
  { name: 'stack_mb', kind: 'gauge', read: (s) => s.mem.stackBytes() / MiB },
  { name: 'rss_mb', kind: 'gauge', read: (s) => s.mem.rssBytes() / MiB },
  { name: 'gc_cycles', kind: 'counter', read: (s) => s.gc?.cycles ?? 0 },
  { name: 'gc_cpu_ms', kind: 'counter', read: (s) => (s.gc ? (s.gc.gcCpuNs + s.gc.idleMarkNs) / 1e6 : 0) },
  { name: 'gc_assist_ms', kind: 'counter', read: (s) => (s.gc?.assistNs ?? 0) / 1e6 },
  { name: 'gc_pause_ms', kind: 'counter', read: (s) => (s.gc?.stwNs ?? 0) / 1e6 },
  { name: 'cross_node_steals', kind: 'counter', read: (s) => s.numa?.crossNodeSteals ?? 0 },
  { name: 'remote_cpu_ms', kind: 'counter', read: (s) => (s.numa?.remoteWorkNs ?? 0) / 1e6 },
];
