import { hashKey, type RandomStreams } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import { msToNs, usToNs } from '../../engine/time.js';
import type { Runtime, Step } from '../../scenario/schema.js';
import type { PodService } from '../../service/calls.js';
import type { RequestTable } from '../../workload/requests.js';
import type { Column, CompletionSink, PodRuntime, RuntimeSettings } from '../pod-runtime.js';
import type { GoVersion } from '../version.js';
import { GOMAXPROCS } from './procresize.js';
import { NO_SERVER, Programs, type ServerWork } from './program.js';
import { GMP_COLUMNS, type GmpSummary, gmpSummary } from './report.js';
import { Sched, type SchedConfig } from './sched.js';
import { schedtrace } from './schedtrace.js';
import { WAIT_REASONS } from './states.js';
import { usleepLateness } from './sysmon.js';
import type { TraceRecorder } from './trace-export.js';

/** Background mark worker modes by number (cycle.ts WORKER_*), as gcMarkWorkerMode's names. */
const WORKER_MODES = ['', 'dedicated', 'fractional', 'idle'] as const;

import type { Warmup } from '../warmup.js';
import type { CpuShare } from './cpu.js';

const MiB = 1 << 20;

/** The Go runtime of one pod: requests arrive through netpoll and run as Gs on the GMP scheduler. */
export class GmpPod implements PodRuntime {
  readonly sched: Sched;
  private readonly version: GoVersion;

  constructor(
    sim: Simulation,
    private readonly requests: RequestTable,
    runtime: Runtime,
    steps: readonly Step[],
    rng: RandomStreams,
    sink: CompletionSink,
    network?: SchedConfig['network'],
    cpu?: { slowdown: number },
    /** The pod's side of the service's world (dependencies, pools, limiter), when the scenario has one. */
    private readonly service?: PodService,
    cpuShare?: CpuShare,
    /** The container's warm-up after Ready (cluster.pod.warmup), if configured. */
    private readonly warmup?: Warmup,
    /** The most Ps a live GOMAXPROCS change may give it (a timeline event); absent: no rise. */
    maxProcs?: number,
  ) {
    this.version = runtime.goVersion;
    const c = runtime.costs;
    const cfg: SchedConfig = {
      gomaxprocs: runtime.gomaxprocs,
      ...(maxProcs !== undefined && maxProcs > runtime.gomaxprocs ? { maxProcs } : {}),
      netpoll: runtime.netpoll,
      goVersion: runtime.goVersion,
      maxThreads: runtime.maxThreads,
      syncMutex: runtime.syncMutex,
      ...(network ? { network } : {}),
      ...(cpu ? { cpu } : {}),
      ...(cpuShare ? { cpuShare } : {}),
      ...(warmup ? { warmup } : {}),
      ...(c.sysmonWakeCpuUs > 0
        ? { sysmonWake: { cpuNs: usToNs(c.sysmonWakeCpuUs), hostCpus: runtime.hostCpus } }
        : {}),
      ...(runtime.cpuLimitCores !== undefined
        ? {
            cpuQuota: {
              quotaNs: runtime.cpuLimitCores * msToNs(runtime.cfsPeriodMs),
              periodNs: msToNs(runtime.cfsPeriodMs),
            },
          }
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
        ? {
            numa: {
              nodes: runtime.numa.nodes,
              remoteFactor: runtime.numa.remoteFactor,
              migrationNs: usToNs(runtime.numa.migrationUs),
              stealOrder: runtime.numa.stealOrder,
            },
          }
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
        timerSlackNs: usToNs(c.timerSlackUs),
        ...(c.usleepLateQuantilesUs
          ? {
              usleepLate: usleepLateness(c.usleepLateQuantilesUs, rng.keyed('sysmon.usleep-late'), hashKey(rng.entity)),
            }
          : {}),
        stackCopyNsPerByte: c.stackCopyNsPerKB / 1024,
        malloc: { smallNs: c.mallocNsPerObject, largeNs: usToNs(c.mallocLargeUs), zeroNsPerByte: c.zeroNsPerKB / 1024 },
        procresizeNs: usToNs(c.procresizeUs),
      },
    };
    // The server library's own work per request, by runtime.server (a Record: a new server kind must say it).
    const serverWork: Record<Runtime['server'], ServerWork> = {
      none: NO_SERVER,
      'net/http': { cpuMs: c.httpRequestUs / 1000, readSyscall: true },
    };
    const reqs = this.requests;
    const svc = service;
    const progs = new Programs(
      steps,
      rng,
      runtime.channels,
      serverWork[runtime.server],
      svc ? (spec) => svc.compileCall(spec) : undefined,
    );
    this.sched = new Sched(sim, cfg, progs, rng.stream('sched.steal'), {
      complete: svc
        ? (id) => {
            svc.requestDone(id);
            sink.complete(id);
          }
        : (id) => sink.complete(id),
      started: (id) => {
        if (Number.isNaN(reqs.startNs[id]!)) reqs.startNs[id] = sim.now;
      },
    });
    const sched = this.sched;
    sched.g.requestKeys = reqs; // a root G's draws use its request's key, read from the table (not copied)
    if (svc) {
      svc.waker = sched;
      sched.service = svc;
    }
    this.columns = [
      ...GMP_COLUMNS.map((c) => ({ name: c.name, kind: c.kind, read: () => c.read(sched) })),
      ...(svc ? svc.columns(() => sim.now) : []),
    ];
  }

  /** GOMAXPROCS: the scheduler's number of Ps. */
  get gomaxprocs(): number {
    return this.sched.nP;
  }

  accept(requestId: number): void {
    if (this.warmup) this.warmup.served++;
    // A request the limiter sheds still gets its G (accept, answer 503), which ends at once.
    const shed = this.service !== undefined && !this.service.admit(requestId);
    this.sched.acceptRequest(requestId, shed);
  }

  /** The pod's connection pools now: in use, idle, and the wait so far (ns), over every dependency. */
  poolStats(): { inUse: number; idle: number; waitNs: number } | undefined {
    const s = this.service;
    return s ? { inUse: s.poolInUse(), idle: s.poolIdle(), waitNs: s.poolWaitNs(this.sched.sim.now) } : undefined;
  }

  netpollDelay(): { taken: number; delayNs: number } {
    return { taken: this.sched.netpoll.taken, delayNs: this.sched.netpoll.delayNs };
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

  /** This pod's timeseries columns (GMP_COLUMNS read from its scheduler). */
  readonly columns: readonly Column<void>[];

  sampleStart(): void {
    this.sched.noteMemory();
  }

  summary(): { gmp: GmpSummary } {
    return { gmp: gmpSummary(this.sched) };
  }

  /** Record this pod into a trace: the scheduler's, the collector's and the assists' hooks. */
  setTracer(tracer: TraceRecorder): void {
    const s = this.sched;
    const worker = s.progs.gcWorkerProg;
    tracer.view = {
      request: (gp) => s.g.request[gp]!,
      waitReason: (gp) => WAIT_REASONS[s.g.waitReason[gp]!] ?? '',
      label: (pp, gp) => (s.g.prog[gp] === worker ? `GC worker (${WORKER_MODES[s.mark.mode[pp]!] ?? '?'})` : undefined),
    };
    s.tracer = tracer;
    if (s.gc) s.gc.tracer = tracer;
    s.mark.tracer = tracer;
  }

  /** Per-P local run queue lengths and the global queue (a trace's run-queue counters). */
  runqLengths(): Record<string, number> {
    const rq = this.sched.rq;
    const out: Record<string, number> = {};
    for (let p = 0; p < this.sched.nP; p++) out[`P${p}`] = rq.runqlen(p);
    out.global = rq.runqsize;
    return out;
  }

  setGcTrace(onLine: (line: string) => void): void {
    if (this.sched.gc) this.sched.gc.onTrace = onLine;
  }

  stop(): void {
    this.sched.stop();
    this.service?.stop();
  }

  memoryBytes(): number {
    return this.sched.mem.rssBytes();
  }

  gcCpuIntegralNs(): number {
    const gc = this.sched.gc;
    return gc ? gc.gcCpuNs + gc.idleMarkNs : 0;
  }

  gcPauseIntegralNs(): number {
    return this.sched.gc?.stwNs ?? 0;
  }

  forceGC(): void {
    this.sched.gc?.forceGC();
  }

  holdLive(bytes: number): void {
    this.sched.gc?.holdLive(bytes);
  }

  applySettings(s: RuntimeSettings): void {
    if (s.gomaxprocs !== undefined) GOMAXPROCS(this.sched, s.gomaxprocs);
    const gc = this.sched.gc;
    if (!gc) return; // nothing allocates: no collector to tune
    if (s.gogc !== undefined) gc.setGCPercent(s.gogc);
    if (s.memoryLimitBytes !== undefined) gc.setMemoryLimit(s.memoryLimitBytes);
  }

  cpuSlowdownChanged(): void {
    this.sched.cpuSlowdownChanged();
  }

  schedtrace(nowNs: number, detailed: boolean): string {
    return schedtrace(this.sched, nowNs, detailed, this.version);
  }
}
