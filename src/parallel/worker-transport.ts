import { existsSync } from 'node:fs';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { HostInit, HostReply, HostRequest } from './pod-host.js';
import { HostOnThisThread, type PodTransport } from './pod-threads.js';

/** What a pod worker starts from: the model's inputs, its port, and the two counters that wake each side. */
export interface PodWorkerData {
  init: HostInit;
  port: MessagePort;
  /**
   * [0]: requests sent to the worker, [1]: answers sent back, [2]: 1 once the worker thread has ended,
   * [3]: its OS thread id (Linux; 0: unknown).
   */
  flags: Int32Array;
}

/**
 * A slice's bulk values on the wire: `length` values in slot `slot` of the sender's two shared buffers
 * (a slice's parity), and the slot's buffer itself when it is new to the receiver (the first time, or
 * grown). The arrivals and records of a slice (~1 MB in the fleet benchmark) are written into memory
 * both threads see instead of being cloned with the message: a clone allocated a new ArrayBuffer on the
 * receiving side every slice (the coordinator's and a worker's old space filled with them: 26 full
 * collections against 3 in a one-thread run at 600 simulated s), and moving them instead detaches
 * buffers (HostEnd.answer). A SharedArrayBuffer is never detached.
 */
export interface SlotRef {
  slot: number;
  length: number;
  buffer: Float64Array | undefined;
}

/**
 * The sending side's two slots for one direction. Slot s & 1 carries slice s: the receiver has read slice s
 * before slice s + 2 is written (at most two slices are in flight, and each is heard before the one two
 * on is sent: Experiment.window).
 */
export class SlotWriter {
  private readonly bufs: Float64Array[] = [new Float64Array(0), new Float64Array(0)];

  write(slot: number, values: Float64Array): SlotRef {
    let b = this.bufs[slot]!;
    let grown: Float64Array | undefined;
    if (values.length > b.length) {
      const capacity = Math.max(1024, 2 ** Math.ceil(Math.log2(values.length)));
      b = grown = this.bufs[slot] = new Float64Array(new SharedArrayBuffer(8 * capacity));
    }
    b.set(values);
    return { slot, length: values.length, buffer: grown };
  }
}

/** The receiving side's view of the sender's two slots. */
export class SlotReader {
  private readonly bufs: Float64Array[] = [new Float64Array(0), new Float64Array(0)];

  read(r: SlotRef): Float64Array {
    if (r.buffer !== undefined) this.bufs[r.slot] = r.buffer;
    return this.bufs[r.slot]!.subarray(0, r.length);
  }
}

/** A HostRequest on the wire: a slice's arrivals in a slot. */
export type WireRequest =
  | Exclude<HostRequest, { op: 'run' }>
  | (Omit<Extract<HostRequest, { op: 'run' }>, 'arrivals'> & { arrivals: SlotRef });
/** A HostReply on the wire: a slice's records in a slot. */
export type WireReply =
  | Exclude<HostReply, { op: 'ran' }>
  | (Omit<Extract<HostReply, { op: 'ran' }>, 'records'> & { records: SlotRef });

/** The worker's file; tools/bundle-cli.ts rewrites this URL in the bundle to dist/src/parallel/pod-worker.js. */
const WORKER_FILE = new URL('./pod-worker.js', import.meta.url);

/**
 * The coordinator's end of a pod worker's channel, used without the event loop: a request is posted on a
 * MessagePort and the worker woken (Atomics.notify on flags[0]); an answer is waited for with Atomics.wait
 * on flags[1] and taken with receiveMessageOnPort. `far` and `flags` go to the worker (PodWorkerData).
 */
export class HostChannel {
  readonly flags = new Int32Array(new SharedArrayBuffer(16));
  readonly port: MessagePort;
  readonly far: MessagePort;
  private readonly arrivals = new SlotWriter();
  private readonly records = new SlotReader();

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.far = port2;
  }

  post(m: HostRequest): void {
    const w: WireRequest = m.op === 'run' ? { ...m, arrivals: this.arrivals.write(m.seq & 1, m.arrivals) } : m;
    this.port.postMessage(w);
    Atomics.add(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
  }

  /** The next answer, or undefined once `alive` (asked each second it is waited for) says the worker ended. */
  take(alive: () => boolean): HostReply | undefined {
    for (;;) {
      const seen = Atomics.load(this.flags, 1);
      const m = receiveMessageOnPort(this.port);
      if (m !== undefined) {
        const r = m.message as WireReply;
        return r.op === 'ran' ? { ...r, records: this.records.read(r.records) } : r;
      }
      if (!alive()) return undefined;
      Atomics.wait(this.flags, 1, seen, 1000);
    }
  }
}

/**
 * The worker's end of a HostChannel (pod-worker.ts): requests taken off the port with their arrivals read
 * from the coordinator's slots, answers posted with their records written to this side's slots.
 */
export class HostEnd {
  private readonly arrivals = new SlotReader();
  private readonly records = new SlotWriter();

  constructor(
    private readonly port: MessagePort,
    private readonly flags: Int32Array,
  ) {}

  /** The next queued request, or undefined when there is none. */
  next(): HostRequest | undefined {
    const m = receiveMessageOnPort(this.port);
    if (m === undefined) return undefined;
    const w = m.message as WireRequest;
    return w.op === 'run' ? { ...w, arrivals: this.arrivals.read(w.arrivals) } : w;
  }

  /**
   * Post the answer to `to` and wake the coordinator. Nothing is moved (transferred): moving a buffer
   * detaches it, and the first detached buffer in an isolate invalidates V8's ArrayBufferDetaching
   * protector (Protectors::InvalidateArrayBufferDetaching), after which every optimised typed-array access
   * checks for a detached buffer. The pods' engines are typed arrays throughout: a replay of the same
   * requests (bench/host-replay.ts) cost 17-20 % more CPU after one unrelated 8-byte buffer was detached.
   */
  answer(to: HostRequest, r: HostReply): void {
    const slot = to.op === 'run' ? to.seq & 1 : 0;
    const w: WireReply = r.op === 'ran' ? { ...r, records: this.records.write(slot, r.records) } : r;
    this.port.postMessage(w);
    Atomics.add(this.flags, 1, 1);
    Atomics.notify(this.flags, 1);
  }
}

/**
 * A pod host on a worker thread, reached synchronously through a HostChannel, so the coordinator can read
 * a pod at a barrier in the middle of an event. The thread is unref'd: it never keeps the process alive,
 * whatever path the run leaves by.
 */
export class WorkerTransport implements PodTransport {
  /** The thread (tests end it from outside to check a dead worker is reported, not waited for). */
  readonly worker: Worker;
  private readonly channel = new HostChannel();
  private readonly isAlive = () => this.alive();

  constructor(
    init: HostInit,
    readonly weight = 1,
  ) {
    const { far, flags } = this.channel;
    const data: PodWorkerData = { init, port: far, flags };
    this.worker = new Worker(WORKER_FILE, { workerData: data, transferList: [far] });
    this.worker.unref();
    // An error event is only seen if the coordinator's event loop runs; receive() sees the exit flag instead.
    this.worker.on('error', () => {});
  }

  send(m: HostRequest): void {
    // The arrivals are copied into a shared slot, never moved: a transfer detaches the buffer, which slows
    // every typed array of this isolate (HostEnd.answer).
    this.channel.post(m);
  }

  receive(): HostReply {
    return (
      this.channel.take(this.isAlive) ?? {
        op: 'error',
        message: 'the pod worker thread ended without an answer',
        stack: undefined,
      }
    );
  }

  /** The worker thread still runs: it has not said it ended, and its OS thread (where known) still exists. */
  private alive(): boolean {
    const flags = this.channel.flags;
    if (Atomics.load(flags, 2) === 1) return false;
    const tid = Atomics.load(flags, 3);
    return tid === 0 || existsSync(`/proc/self/task/${tid}`);
  }

  close(): void {
    this.send({ op: 'close' });
    void this.worker.terminate();
    this.channel.port.close();
  }
}

/** `count` pod hosts on worker threads (the benchmark's GMPSIM_BENCH_HOSTS; tests). */
export function podWorkers(init: HostInit, count: number, weight = 1): PodTransport[] {
  return Array.from({ length: count }, () => new WorkerTransport(init, weight));
}

/**
 * `count` threads' pod hosts, for Experiment's `podHosts` (gmpsim run --threads N): this thread's, beside
 * the coordinator's work, and count - 1 worker threads, each an equal share of the pods. The coordinator's
 * routing, hearing and barriers run while the workers wait (the windows are not pipelined: see
 * SLICES_PER_SAMPLE), so the wall time is that serial share plus the largest host's; hosting a share here
 * costs it nothing and spares a thread, an isolate (its start-up and V8's compiling) and its wake-ups. The
 * fleet hour on 2 vCPUs, interleaved: 20.22-20.27 s against 22.07-22.35 s with 2 workers beside a sleeping
 * coordinator, and 28.75-29.54 s on one thread (results/bench/fleet-slots-session7.json).
 */
export function podThreads(init: HostInit, count: number): PodTransport[] {
  return [new HostOnThisThread(init), ...podWorkers(init, count - 1)];
}
