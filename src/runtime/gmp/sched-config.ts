import { SampleLog } from '../../metrics/sample-log.js';
import type { GcConfig } from '../gc/cycle.js';
import type { GoVersion } from '../version.js';
import type { CpuShare, NumaConfig } from './cpu.js';
import type { MallocCosts } from './malloc.js';
import type { SyncMutexMode } from './sync-mutex.js';
import type { UsleepLateness } from './sysmon.js';

/** Costs of runtime operations, ns (scenario `runtime.costs`, converted). */
export interface SchedCosts {
  ctxSwitchNs: number;
  stealNs: number;
  goroutineCreateNs: number;
  threadCreateNs: number;
  threadWakeNs: number;
  syscallNs: number;
  /** A channel send or receive that does not block. */
  chanOpNs: number;
  preemptSignalNs: number;
  /** runqgrab's usleep(3) before taking a running victim's runnext. */
  runnextStealWaitNs: number;
  /** Kernel timer slack: how late a runtime thread's usleep returns past its delay (sysmon's loop). */
  timerSlackNs?: number;
  /** sysmon's usleep lateness as a per-loop draw around timerSlackNs + threadWakeNs (absent: constant). */
  usleepLate?: UsleepLateness;
  /** copystack: ns per byte of stack copied when a stack grows. */
  stackCopyNsPerByte?: number;
  /** mallocgc's CPU per object and per byte zeroed (malloc.ts); absent: allocation is free. */
  malloc?: MallocCosts;
  /** runtime.GOMAXPROCS's stop-the-world work (procresize), ns, besides preempting the running Gs. */
  procresizeNs?: number;
}

export interface SchedConfig {
  gomaxprocs: number;
  /** The most Ps a live runtime.GOMAXPROCS may make (procresize.ts); absent: gomaxprocs (no rise). */
  maxProcs?: number;
  /** 'go': Go's netpoll; 'always-polling': an ideal poller injects each ready G at once. */
  netpoll: 'go' | 'always-polling';
  goVersion: GoVersion;
  costs: SchedCosts;
  maxThreads: number;
  /** sync.Mutex: 'fifo' hand-off (the default), or Go's normal and starvation modes (sync-mutex.ts). */
  syncMutex?: SyncMutexMode;
  /** The pod's network as the faults leave it: the extra delay of each network wait (src/sim/faults.ts PodNetwork). */
  network?: { delayNs(key: number, pc: number): number };
  /** Shared with the cluster: CPU work takes this many times as long now (a noisy-neighbour fault). */
  cpu?: { slowdown: number };
  /** The node's cores, shared with the other pods on it (cluster.nodeCpuSharing; absent: one core per P). */
  cpuShare?: CpuShare;
  /** The container's CPU limit as a CFS quota per period (absent: no limit). */
  cpuQuota?: { quotaNs: number; periodNs: number };
  /** What a sysmon wake costs a running M on its core, and the host CPUs (cpu.ts; absent: sysmon is free). */
  sysmonWake?: { cpuNs: number; hostCpus: number };
  /** The garbage collector (used when some program allocates). */
  gc?: GcConfig;
  /** Runtime memory besides heap and stacks (counted by GOMEMLIMIT and the container), bytes. */
  runtimeOverheadBytes?: number;
  /** The container's memory limit, bytes: past it the pod is OOM-killed (absent: none). */
  memoryLimitBytes?: number;
  /** Called once when the memory limit is passed. */
  onOom?: () => void;
  /** The Ps spread over NUMA nodes (absent or nodes = 1: uniform memory). */
  numa?: NumaConfig;
}

/** Optional hooks for the trace exporter and metrics; never called when absent. */
export interface SchedTracer {
  gStart(pp: number, m: number, gp: number, goid: number): void;
  gStop(pp: number, m: number, gp: number, reason: string): void;
  instant(kind: 'steal' | 'preempt' | 'handoff' | 'syscall' | 'newm', pp: number, m: number, detail: string): void;
  /** The G's syscall returned (exitsyscall), with or without a P to go on with. */
  exitsyscall?(gp: number): void;
}

/** A fatal runtime error ("runtime: program exceeds 10000-thread limit"); the pod dies. */
export class GoFatalError extends Error {
  override name = 'GoFatalError';
}

/** What the pod tells the scheduler about requests. */
export interface RequestSink {
  complete(requestId: number): void;
  /** The request's G runs for the first time (end of its wait). */
  started(requestId: number): void;
}

/** Counters for metrics (monotonic unless noted). */
export class SchedStats {
  steals = 0;
  stolenGs = 0;
  preemptions = 0;
  handoffs = 0;
  gCreated = 0;
  gExited = 0;
  syscalls = 0;
  /** How late each timer ran (due → readied by checkTimers), ms. */
  readonly timerDelayMs = new SampleLog();
}
