/** How a request ended: answered, failed (a dependency call failed: an error response), shed (503 at once). */
export const OUTCOME_OK = 0;
export const OUTCOME_FAILED = 1;
export const OUTCOME_SHED = 2;

/**
 * In-flight requests as struct-of-arrays, indexed by a small integer id that is recycled when a request
 * completes, so memory follows the number in flight, not the number ever made.
 */
export class RequestTable {
  arrivalNs: Float64Array;
  /** CPU work still to do, ns (only when the pod model takes work from here: ideal-fifo). */
  workNs: Float64Array;
  /** When service first started, ns (NaN until then). */
  startNs: Float64Array;
  /**
   * Where the request's random draws (its work) come from: a key made from the logical request's arrival
   * index and the attempt, never from the pod or the order of service (common random numbers).
   */
  drawKey: Int32Array;
  /** OUTCOME_OK until the service marks it failed or shed (service/calls.ts). */
  outcome: Uint8Array;
  private free: Int32Array;
  private nFree = 0;
  private next = 0;
  /** Requests currently allocated. */
  inFlight = 0;

  constructor(
    capacity = 1024,
    private readonly trackWork = true,
  ) {
    this.arrivalNs = new Float64Array(capacity);
    this.workNs = new Float64Array(trackWork ? capacity : 0);
    this.startNs = new Float64Array(capacity);
    this.drawKey = new Int32Array(capacity);
    this.outcome = new Uint8Array(capacity);
    this.free = new Int32Array(capacity);
  }

  alloc(arrivalNs: number, workNs: number, drawKey: number): number {
    let id: number;
    if (this.nFree > 0) id = this.free[--this.nFree]!;
    else {
      if (this.next === this.arrivalNs.length) this.grow();
      id = this.next++;
    }
    this.arrivalNs[id] = arrivalNs;
    if (this.trackWork) this.workNs[id] = workNs;
    this.startNs[id] = NaN;
    this.drawKey[id] = drawKey;
    this.outcome[id] = OUTCOME_OK;
    this.inFlight++;
    return id;
  }

  /**
   * A mirror's entry (a pod worker's table, src/parallel/pod-host.ts): request `id` as the coordinator's
   * table allocated it. The mirror allocates nothing itself: its ids are the coordinator's.
   */
  place(id: number, arrivalNs: number, workNs: number, drawKey: number): void {
    while (id >= this.arrivalNs.length) this.grow();
    this.arrivalNs[id] = arrivalNs;
    if (this.trackWork) this.workNs[id] = workNs;
    this.startNs[id] = NaN;
    this.drawKey[id] = drawKey;
    this.outcome[id] = OUTCOME_OK;
  }

  release(id: number): void {
    this.free[this.nFree++] = id;
    this.inFlight--;
  }

  private grow(): void {
    const c = this.arrivalNs.length * 2;
    const g = (a: Float64Array) => {
      const b = new Float64Array(c);
      b.set(a);
      return b;
    };
    this.arrivalNs = g(this.arrivalNs);
    if (this.trackWork) this.workNs = g(this.workNs);
    this.startNs = g(this.startNs);
    const k = new Int32Array(c);
    k.set(this.drawKey);
    this.drawKey = k;
    const o = new Uint8Array(c);
    o.set(this.outcome);
    this.outcome = o;
    const f = new Int32Array(c);
    f.set(this.free);
    this.free = f;
  }
}
