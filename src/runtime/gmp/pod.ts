import type { RandomStreams } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import { msToNs, usToNs } from '../../engine/time.js';
import type { Runtime, Step } from '../../scenario/schema.js';
import type { RequestTable } from '../../workload/requests.js';
import type { CompletionSink, PodRuntime } from '../pod-runtime.js';
import { Programs } from './program.js';
import type { GoVersion } from '../version.js';
import { Sched, type SchedConfig } from './sched.js';
import { schedtrace } from './schedtrace.js';
import { Gsyscall, Gwaiting, Mparked } from './states.js';

const MiB = 1 << 20;

/** The Go runtime of one pod: requests arrive through netpoll and run as Gs on the GMP scheduler. */
export class GmpPod implements PodRuntime {
  readonly sched: Sched;
  readonly gomaxprocs: number;
  private readonly version: GoVersion;

  constructor(
    sim: Simulation,
    private readonly requests: RequestTable,
    runtime: Runtime,
    steps: readonly Step[],
    rng: RandomStreams,
    sink: CompletionSink,
    network?: { extraNs: number },
    cpu?: { slowdown: number },
  ) {
    this.gomaxprocs = runtime.gomaxprocs;
    this.version = runtime.goVersion;
    const c = runtime.costs;
    const cfg: SchedConfig = {
      gomaxprocs: runtime.gomaxprocs,
      netpoll: runtime.netpoll,
      goVersion: runtime.goVersion,
      maxThreads: runtime.maxThreads,
      ...(network ? { network } : {}),
      ...(cpu ? { cpu } : {}),
      ...(runtime.cpuLimitCores !== undefined
        ? { cpuQuota: { quotaNs: runtime.cpuLimitCores * msToNs(runtime.cfsPeriodMs), periodNs: msToNs(runtime.cfsPeriodMs) } }
        : {}),
      gc: {
        gogc: runtime.gc.gogc === 'off' ? -1 : runtime.gc.gogc,
        memoryLimitBytes: runtime.gc.memoryLimitMB !== undefined ? runtime.gc.memoryLimitMB * MiB : Infinity,
        baseLiveBytes: Math.round(runtime.gc.baseLiveHeapMB * MiB),
        globalsBytes: Math.round(runtime.gc.globalsKB * 1024),
        scanBytesPerNs: (runtime.gc.scanRateMBPerCpuS * MiB) / 1e9,
        stwSweepTermNs: usToNs(runtime.gc.stwSweepTermUs),
        stwMarkTermNs: usToNs(runtime.gc.stwMarkTermUs),
        sweepNsPerByte: runtime.gc.sweepNsPerKB / 1024,
        writeBarrierSlowdown: runtime.gc.writeBarrierSlowdown,
        scanFraction: runtime.gc.scanFraction,
        markAssist: runtime.gc.markAssist,
        cpuLimiter: runtime.gc.cpuLimiter,
      },
      runtimeOverheadBytes: Math.round(runtime.runtimeOverheadMB * MiB),
      ...(runtime.memoryLimitMB !== undefined ? { memoryLimitBytes: runtime.memoryLimitMB * MiB } : {}),
      onOom: () => sink.oom?.(),
      ...(runtime.numa.nodes > 1
        ? { numa: { nodes: runtime.numa.nodes, remoteFactor: runtime.numa.remoteFactor, migrationNs: usToNs(runtime.numa.migrationUs), stealOrder: runtime.numa.stealOrder } }
        : {}),
      costs: {
        ctxSwitchNs: c.ctxSwitchNs,
        stealNs: c.stealNs,
        goroutineCreateNs: c.goroutineCreateNs,
        threadCreateNs: usToNs(c.threadCreateUs),
        threadWakeNs: usToNs(c.threadWakeUs),
        syscallNs: c.syscallOverheadNs,
        chanOpNs: c.chanOpNs,
        preemptSignalNs: usToNs(c.preemptSignalUs),
        runnextStealWaitNs: usToNs(c.runnextStealWaitUs),
        stackCopyNsPerByte: c.stackCopyNsPerKB / 1024,
      },
    };
    const reqs = this.requests;
    this.sched = new Sched(sim, cfg, new Programs(steps, rng, runtime.channels), rng.stream('sched.steal'), {
      complete: (id) => sink.complete(id),
      started: (id) => {
        if (Number.isNaN(reqs.startNs[id]!)) reqs.startNs[id] = sim.now;
      },
    });
  }

  accept(requestId: number): void {
    this.sched.acceptRequest(requestId);
  }

  goroutines(): number {
    return this.sched.liveGs();
  }

  runnable(): number {
    return this.sched.rq.totalQueued();
  }

  running(): number {
    return this.sched.runningPs();
  }

  busyIntegralNs(): number {
    return this.sched.busyIntegralNs();
  }

  static readonly SAMPLE_COLUMNS = [
    'global_runq',
    'local_runq',
    'in_syscall',
    'waiting',
    'goroutines',
    'threads',
    'idle_threads',
    'spinning_threads',
    'steals',
    'preemptions',
    'handoffs',
    'throttled_periods',
    'throttled_ms',
    'heap_live_mb',
    'heap_goal_mb',
    'stack_mb',
    'rss_mb',
    'gc_cycles',
    'gc_cpu_ms',
    'gc_assist_ms',
    'gc_pause_ms',
    'cross_node_steals',
    'remote_cpu_ms',
  ] as const;

  static readonly COUNTER_COLUMNS = ['steals', 'preemptions', 'handoffs', 'throttled_periods', 'throttled_ms', 'gc_cycles', 'gc_cpu_ms', 'gc_assist_ms', 'gc_pause_ms', 'cross_node_steals', 'remote_cpu_ms'] as const;
  readonly sampleColumns = GmpPod.SAMPLE_COLUMNS;
  readonly counterColumns = GmpPod.COUNTER_COLUMNS;

  /** Gauges now, and counters (steals, preemptions, handoffs) as totals; the sampler takes rates. */
  sample(): number[] {
    const s = this.sched;
    s.noteMemory();
    return [
      s.rq.runqsize,
      s.rq.totalQueued() - s.rq.runqsize,
      s.countGs(Gsyscall),
      s.countGs(Gwaiting),
      s.liveGs(),
      s.mcount + 1,
      s.mCountIn(Mparked),
      s.nmspinning,
      s.stats.steals,
      s.stats.preemptions,
      s.stats.handoffs,
      s.cfs?.throttledPeriods ?? 0,
      (s.cfs?.throttledNs() ?? 0) / 1e6,
      (s.gc?.heapLive ?? 0) / MiB,
      s.gc && Number.isFinite(s.gc.pacer.heapGoal) ? s.gc.pacer.heapGoal / MiB : 0,
      s.stackBytes() / MiB,
      s.rssBytes() / MiB,
      s.gc?.cycles ?? 0,
      s.gc ? (s.gc.gcCpuNs + s.gc.idleMarkNs) / 1e6 : 0,
      (s.gc?.assistNs ?? 0) / 1e6,
      (s.gc?.stwNs ?? 0) / 1e6,
      s.numa?.crossNodeSteals ?? 0,
      (s.numa?.remoteWorkNs ?? 0) / 1e6,
    ];
  }

  stop(): void {
    this.sched.stop();
  }

  memoryBytes(): number {
    return this.sched.rssBytes();
  }

  gcCpuIntegralNs(): number {
    const gc = this.sched.gc;
    return gc ? gc.gcCpuNs + gc.idleMarkNs : 0;
  }

  gcPauseIntegralNs(): number {
    return this.sched.gc?.stwNs ?? 0;
  }

  cpuSlowdownChanged(): void {
    this.sched.cpuSlowdownChanged();
  }

  schedtrace(nowNs: number, detailed: boolean): string {
    return schedtrace(this.sched, nowNs, detailed, this.version);
  }
}
