import type { GmpSummary } from './gmp/report.js';
import type { TraceRecorder } from './gmp/trace-export.js';

/**
 * What the rest of the simulator sees of one pod's Go runtime: requests go in, completions come out
 * through the sink, and a few gauges can be read at any time for metrics.
 */
export interface PodRuntime {
  readonly gomaxprocs: number;
  /** A request (an id in the RequestTable) arrives at this pod. */
  accept(requestId: number): void;
  /** Requests waiting to run (runnable, not running). */
  runnable(): number;
  /** Ps currently running a request. */
  running(): number;
  /** ∫ running Ps dt from time 0 to now, in P·ns (utilisation = its growth / (gomaxprocs × elapsed)). */
  busyIntegralNs(): number;
  /** Live goroutines now (the go_goroutines gauge). */
  goroutines(): number;
  /** This runtime's own time-series columns, read from this pod (same names and kinds in every pod). */
  readonly columns?: readonly Column<void>[];
  /** Called before the columns are read at a sample (the runtime notes its memory: peak RSS, OOM). */
  sampleStart?(): void;
  /** This runtime's block of summary.json, keyed by its name (the first pod's is reported). */
  summary?(): { gmp: GmpSummary };
  /** Record a scheduler trace (Chrome/Perfetto) into `tracer`, if the runtime has a scheduler. */
  setTracer?(tracer: TraceRecorder): void;
  /** Run-queue lengths by queue (per P and global), for a trace's counters, if the runtime has them. */
  runqLengths?(): Record<string, number>;
  /** Receive a gctrace line per GC cycle, if the runtime collects garbage. */
  setGcTrace?(onLine: (line: string) => void): void;
  /** GODEBUG=schedtrace-style text for the current state, if the runtime has one. */
  schedtrace?(nowNs: number, detailed: boolean): string;
  /** The process's memory now (heap + stacks + runtime overhead), bytes: what metrics-server reports. */
  memoryBytes?(): number;
  /** GC CPU time used so far, ns (for the GC CPU fraction metric). */
  gcCpuIntegralNs?(): number;
  /** Stop-the-world GC pause time so far, ns. */
  gcPauseIntegralNs?(): number;
  /** Connection pools (with dependencies): connections in use, idle, and the pool wait so far (ns). */
  poolStats?(): { inUse: number; idle: number; waitNs: number } | undefined;
  /** Netpoll delay so far (the GMP model): Gs the poller made ready that an M took, and their summed wait, ns. */
  netpollDelay?(): { taken: number; delayNs: number };
  /** New runtime settings in the running process (debug.SetGCPercent, debug.SetMemoryLimit), if it has them. */
  applySettings?(s: RuntimeSettings): void;
  /** The shared CPU slowdown changed (noisy neighbour): rescale the work in progress. */
  cpuSlowdownChanged?(): void;
  /** runtime.GC(), if the runtime collects garbage (the forced-gc fault). */
  forceGC?(): void;
  /** Hold `bytes` more live heap (fewer when negative), if the runtime has a heap (the memory-pressure fault). */
  holdLive?(bytes: number): void;
  /** The process is gone (killed, OOM-killed, drained): stop its periodic activity; it gets no more work. */
  stop?(): void;
}

/** Runtime settings changed while the process runs (a timeline `runtime` event); absent = unchanged. */
export interface RuntimeSettings {
  /** GOMAXPROCS: runtime.GOMAXPROCS(n) in the running process (procresize). */
  gomaxprocs?: number;
  /** GOGC; < 0: off. */
  gogc?: number;
  /** GOMEMLIMIT, bytes. */
  memoryLimitBytes?: number;
}

/**
 * A time-series column: its name, whether it is a gauge (summed over live pods) or a counter (summed over
 * every pod that ever ran, and written as a `<name>_per_s` rate), and how to read it from `T`.
 */
export interface Column<T> {
  readonly name: string;
  readonly kind: 'gauge' | 'counter';
  readonly read: (src: T) => number;
}

export interface CompletionSink {
  /** Called once per request, at the simulated time it completes; the request id is still valid. */
  complete(requestId: number): void;
  /** The pod's memory passed its container limit: the kernel's OOM killer ends the process. */
  oom?(): void;
}
