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
  /** Extra time-series columns this runtime reports, and which of them are counters (turned into rates). */
  readonly sampleColumns?: readonly string[];
  readonly counterColumns?: readonly string[];
  sample?(): number[];
  /** GODEBUG=schedtrace-style text for the current state, if the runtime has one. */
  schedtrace?(nowNs: number, detailed: boolean): string;
  /** The process's memory now (heap + stacks + runtime overhead), bytes: what metrics-server reports. */
  memoryBytes?(): number;
  /** GC CPU time used so far, ns (for the GC CPU fraction metric). */
  gcCpuIntegralNs?(): number;
  /** Stop-the-world GC pause time so far, ns. */
  gcPauseIntegralNs?(): number;
  /** The shared CPU slowdown changed (noisy neighbour): rescale the work in progress. */
  cpuSlowdownChanged?(): void;
  /** The process is gone (killed, OOM-killed, drained): stop its periodic activity; it gets no more work. */
  stop?(): void;
}

export interface CompletionSink {
  /** Called once per request, at the simulated time it completes; the request id is still valid. */
  complete(requestId: number): void;
  /** The pod's memory passed its container limit: the kernel's OOM killer ends the process. */
  oom?(): void;
}
