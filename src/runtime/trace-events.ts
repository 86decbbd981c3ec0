/**
 * The Chrome Trace Event format (the JSON that ui.perfetto.dev and chrome://tracing open): the event
 * shapes gmpsim writes, and the sink every recorder of one run writes into. Times are µs of simulated
 * time; `pid` is a process (a pod, or the cluster), `tid` a track in it.
 * Format: "Trace Event Format" (Google doc, catapult); Perfetto's JSON importer
 * (src/trace_processor/importers/json/json_trace_parser.cc) reads the same phases.
 */
export interface TraceEvent {
  name: string;
  /** X: complete slice; i: instant; C: counter; M: metadata; s/f: flow start/finish (v1 flow events). */
  ph: 'X' | 'i' | 'C' | 'M' | 's' | 'f';
  ts?: number;
  dur?: number;
  pid: number;
  tid?: number;
  /** Instants: scope (t: thread, p: process, g: global). */
  s?: 't' | 'p' | 'g';
  cat?: string;
  /** Flow events: the flow's id; `bp: 'e'` binds a flow end to the slice enclosing it. */
  id?: number;
  bp?: 'e';
  /** Flow events v2: a slice's flow id, and whether the flow arrives at it or leaves it. */
  bind_id?: number;
  flow_in?: boolean;
  flow_out?: boolean;
  args?: Record<string, unknown>;
}

/** The JSON document written by `gmpsim run --trace`. */
export interface TraceDocument {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ns';
  /** What was recorded: window, pods, and whether the event cap cut the trace short. */
  metadata: {
    'gmpsim-window-s': [number, number];
    'gmpsim-pods': number[] | 'all';
    'gmpsim-max-events': number;
    /** Simulated second at which bulk events stopped being recorded (the cap), or null. */
    'gmpsim-truncated-at-s': number | null;
  };
}

/**
 * Where the recorders of one run put their events: one array, a window of simulated time, a cap on the
 * number of bulk events (slices, instants, counters, flows) so any run's trace has a bounded size. When
 * the cap is reached bulk events stop (`truncatedAtNs` says when); metadata and the few cluster events
 * written at the end are always kept.
 */
export class TraceSink {
  readonly events: TraceEvent[] = [];
  private bulk = 0;
  /** Simulated ns at which the cap stopped bulk recording; NaN while recording. */
  truncatedAtNs = NaN;
  /** Request id → flow id of a request routed by the ingress whose first G run has not been seen. */
  readonly pendingFlows = new Map<number, number>();
  private nextFlow = 1;

  constructor(
    readonly clock: { readonly now: number },
    readonly startNs: number,
    readonly endNs: number,
    readonly maxEvents: number,
  ) {}

  inWindow(tNs: number): boolean {
    return tNs >= this.startNs && tNs <= this.endNs;
  }

  /** How many more bulk events fit under the cap. */
  get room(): number {
    return this.open ? this.maxEvents - this.bulk : 0;
  }

  /** Still recording bulk events (not capped)? */
  get open(): boolean {
    return Number.isNaN(this.truncatedAtNs);
  }

  /** A bulk event: kept unless the cap is reached (the first refused event marks the cut). */
  push(e: TraceEvent): boolean {
    if (!this.open) return false;
    if (this.bulk >= this.maxEvents) {
      this.truncatedAtNs = this.clock.now;
      return false;
    }
    this.bulk++;
    this.events.push(e);
    return true;
  }

  /** Metadata and end-of-run events: always kept. */
  pushAlways(e: TraceEvent): void {
    this.events.push(e);
  }

  /**
   * A complete slice on a track, clipped to the window (dropped if outside it). Times in ns.
   * Returns the slice's start in µs, or NaN when nothing was written.
   */
  slice(
    pid: number,
    tid: number,
    name: string,
    startNs: number,
    endNs: number,
    args?: Record<string, unknown>,
    always = false,
  ): number {
    const s = Math.max(startNs, this.startNs);
    const e = Math.min(endNs, this.endNs);
    if (e < s) return NaN;
    const ev: TraceEvent = { name, ph: 'X', ts: s / 1e3, dur: (e - s) / 1e3, pid, tid, ...(args ? { args } : {}) };
    if (always) this.pushAlways(ev);
    else if (!this.push(ev)) return NaN;
    return s / 1e3;
  }

  /** A new flow id. */
  flowId(): number {
    return this.nextFlow++;
  }

  /** Name a process and order it among the others (lower first). */
  nameProcess(pid: number, name: string, sortIndex: number): void {
    this.pushAlways({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name } });
    this.pushAlways({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: sortIndex } });
  }

  /** Name a track (a thread in the format) and order it within its process. */
  nameThread(pid: number, tid: number, name: string): void {
    this.pushAlways({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
    this.pushAlways({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: tid } });
  }
}
