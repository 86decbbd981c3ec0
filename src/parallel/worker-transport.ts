import { existsSync } from 'node:fs';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { HostInit, HostReply, HostRequest } from './pod-host.js';
import type { PodTransport } from './pod-threads.js';

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

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.far = port2;
  }

  post(m: HostRequest, transfer: readonly ArrayBuffer[] = []): void {
    this.port.postMessage(m, transfer);
    Atomics.add(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
  }

  /** The next answer, or undefined once `alive` (asked each second it is waited for) says the worker ended. */
  take(alive: () => boolean): HostReply | undefined {
    for (;;) {
      const seen = Atomics.load(this.flags, 1);
      const m = receiveMessageOnPort(this.port);
      if (m !== undefined) return m.message as HostReply;
      if (!alive()) return undefined;
      Atomics.wait(this.flags, 1, seen, 1000);
    }
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
    // Copied, not moved: a transfer detaches the buffer, which slows every typed array of this isolate
    // (pod-worker.ts, answer). The coordinator made `arrivals` for this message (ThreadedPods.start).
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

/** `count` pod hosts on worker threads, for Experiment's `podHosts` (gmpsim run --threads N). */
export function podWorkers(init: HostInit, count: number, weight = 1): PodTransport[] {
  return Array.from({ length: count }, () => new WorkerTransport(init, weight));
}
