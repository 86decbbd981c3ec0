/**
 * A downstream dependency (a database, a cache, another service) shared by every pod of the fleet: it
 * serves at most `concurrency` calls at once (0: no limit) and queues up to `queueLimit` more, first come
 * first served; a call arriving at a full queue is refused at once (an error: "too many connections").
 * So its latency rises with the load the whole fleet puts on it, which scaling the fleet out increases.
 * A leaf: `arrive` and `finish` answer which call starts; the owner draws service times and schedules.
 */
export const DEP_START = 0;
export const DEP_QUEUED = 1;
export const DEP_REJECTED = 2;

export class Dependency {
  inService = 0;
  private queue: number[] = [];
  private head = 0;
  // counters (the dependency's own metrics)
  calls = 0;
  rejected = 0;
  errors = 0;
  /** Calls whose caller had already given up when the dependency finished them (work wasted). */
  abandoned = 0;
  maxQueued = 0;
  // What faults do to it now (sim/faults.ts: dependency-outage, dependency-slowdown); each adds and removes its part.
  /** Active fail-fast outages: a call that reaches it errs at once. */
  down = 0;
  /** Active hanging outages: a call that reaches it is never answered (its caller's deadline ends it). */
  hang = 0;
  /** Latency × this + addedNs for the calls it starts (slowdowns). */
  latencyFactor = 1;
  addedNs = 0;
  /** A fault targets it: its fault columns and counts are reported. */
  faulted = false;
  /** Calls failed at once by an outage; calls left unanswered by one (in all; waiting now). */
  outageFailed = 0;
  outageHung = 0;
  hungNow = 0;

  constructor(
    readonly name: string,
    readonly concurrency: number,
    readonly queueLimit: number,
  ) {}

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** The latency of a call it starts now, drawn as `ns`, under the slowdowns active now. */
  slowed(ns: number): number {
    return this.latencyFactor === 1 && this.addedNs === 0 ? ns : Math.round(ns * this.latencyFactor) + this.addedNs;
  }

  /** A call arrives: it starts now (DEP_START), waits (DEP_QUEUED) or is refused (DEP_REJECTED). */
  arrive(call: number): number {
    this.calls++;
    if (this.concurrency === 0 || this.inService < this.concurrency) {
      this.inService++;
      return DEP_START;
    }
    if (this.queued >= this.queueLimit) {
      this.rejected++;
      return DEP_REJECTED;
    }
    this.queue.push(call);
    if (this.queued > this.maxQueued) this.maxQueued = this.queued;
    return DEP_QUEUED;
  }

  /** A call in service finished: the queued call that starts now, or -1. */
  finish(): number {
    if (this.queued === 0) {
      this.inService--;
      return -1;
    }
    const c = this.queue[this.head++]!;
    if (this.head > 256 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return c;
  }
}
