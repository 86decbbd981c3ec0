import type { Simulation } from '../engine/simulation.js';
import type { RequestTable } from '../workload/requests.js';
import type { CompletionSink, PodRuntime } from './pod-runtime.js';

/**
 * The ideal reference scheduler: one FIFO queue served by `gomaxprocs` Ps, every request runs to
 * completion, zero scheduling cost. With Poisson arrivals and exponential CPU this is exactly M/M/c, so
 * it anchors the theory checks and shows, by contrast, what the real GMP scheduler adds.
 */
export class IdealFifoPod implements PodRuntime {
  private queue: Int32Array;
  private head = 0;
  private len = 0;
  private busy = 0;
  private busyInt = 0;
  private lastChange = 0;
  private readonly doneKind: number;

  constructor(
    private readonly sim: Simulation,
    private readonly requests: RequestTable,
    readonly gomaxprocs: number,
    private readonly sink: CompletionSink,
  ) {
    this.queue = new Int32Array(1024);
    this.doneKind = sim.registerKind('fifo.done', (id) => this.onDone(id));
  }

  accept(id: number): void {
    if (this.busy < this.gomaxprocs) {
      this.integrate();
      this.busy++;
      this.start(id);
    } else this.enqueue(id);
  }

  /** One goroutine per request in the pod (a net/http server's connection goroutine). */
  goroutines(): number {
    return this.len + this.busy;
  }

  runnable(): number {
    return this.len;
  }

  running(): number {
    return this.busy;
  }

  busyIntegralNs(): number {
    return this.busyInt + this.busy * (this.sim.now - this.lastChange);
  }

  private start(id: number): void {
    this.requests.startNs[id] = this.sim.now;
    this.sim.schedule(this.requests.workNs[id]!, this.doneKind, id);
  }

  private onDone(id: number): void {
    this.sink.complete(id);
    if (this.len > 0) {
      const next = this.queue[this.head]!;
      this.head = (this.head + 1) & (this.queue.length - 1);
      this.len--;
      this.start(next); // the P goes straight to the next request: busy count unchanged
    } else {
      this.integrate();
      this.busy--;
    }
  }

  private integrate(): void {
    const now = this.sim.now;
    this.busyInt += this.busy * (now - this.lastChange);
    this.lastChange = now;
  }

  private enqueue(id: number): void {
    const cap = this.queue.length;
    if (this.len === cap) {
      // Grow the power-of-two ring, unrolling it so head is 0.
      const q = new Int32Array(cap * 2);
      for (let i = 0; i < this.len; i++) q[i] = this.queue[(this.head + i) & (cap - 1)]!;
      this.queue = q;
      this.head = 0;
    }
    this.queue[(this.head + this.len) & (this.queue.length - 1)] = id;
    this.len++;
  }
}
