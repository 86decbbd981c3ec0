import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { isMainThread, type MessagePort, parentPort, Worker, workerData } from 'node:worker_threads';
import type { HostInit, HostReply, HostRequest } from '../src/parallel/pod-host.js';
import { PodHost } from '../src/parallel/pod-host.js';
import { HostChannel, HostEnd } from '../src/parallel/worker-transport.js';
import type { Scenario } from '../src/scenario/schema.js';
import type { ExperimentOptions } from '../src/sim/experiment.js';

/**
 * A replay harness for the pod host (issue 24 item 6: why a worker thread's pods ran slower than the main
 * thread's). `record` runs the fleet benchmark's scenario (bench/fleet-scenario.ts) windowed with every pod
 * on ONE host on this thread (HostOnThisThread, the tests' transport) and saves the exact sequence of
 * requests that host received (v8.serialize: the init, then each request). The other modes replay that
 * sequence into a fresh PodHost and time only `PodHost.handle`, in CPU of the thread that runs it
 * (/proc/thread-self/schedstat, ns; Linux):
 *
 *   node dist/bench/host-replay.js record FILE [simulatedS=300] [pods=100]
 *   node dist/bench/host-replay.js main FILE        (a) on the main thread
 *   node dist/bench/host-replay.js one SIMULATED_S [pods]   the real one-thread run (PodEngines), the pods'
 *                                                       slices timed (PodEngines.finish)
 *   node dist/bench/host-replay.js here SIMULATED_S [pods]  the real run, its one host on the main thread
 *                                                       (HostOnThisThread) with handle timed: no replay
 *   node dist/bench/host-replay.js worker FILE      (b) on a worker, every request in it before the clock starts
 *   node dist/bench/host-replay.js transport FILE   (c) on a worker fed one request at a time by the real
 *                                                       WorkerTransport (src/parallel/worker-transport.ts);
 *                                                       its thread's whole CPU, not handle's alone
 *   node dist/bench/host-replay.js loop FILE        (c') the same protocol into a copy of pod-worker.ts's
 *                                                       loop in this file, which times handle too
 *   node dist/bench/host-replay.js coord SIMULATED_S [threads=2] [pods]  the real run on worker threads,
 *                                                       the coordinator's CPU in ThreadedPods' per-slice parts
 *
 * Each mode prints one JSON line: handleCpuS (the sum over handle calls), threadCpuS (the whole thread
 * that ran the host), wallS, requests replayed, events. `GMPSIM_REPLAY_REPEAT=n` replays the sequence n
 * times into n fresh hosts in the same thread (the first warms the JIT), reporting each;
 * `GMPSIM_REPLAY_PARTS=1` (main) adds the CPU of the host's parts (run, apply, view, the pods' runSlice,
 * drain); `GMPSIM_REPLAY_TIMES=1` (worker, loop) prints every thread's user and system time;
 * `GMPSIM_REPLAY_DETACH=1` (main, worker) detaches one unrelated ArrayBuffer before the replay: that
 * invalidates V8's ArrayBufferDetaching protector, the cause found (docs/one-run-on-every-core.md), and
 * costs the host 17-20 % more CPU (as moving the messages' typed arrays did, before the transport put
 * them in shared slots).
 * How to read the clocks: schedstat is exact for a thread that sleeps when read, but a running thread's
 * figure can lag by up to a scheduler tick, so a part that ends in a wake-up (loop's answer, wait) takes
 * time that belongs to the part before; totals over a whole run are what to compare. V8's --cpu-prof
 * samples on a wall-clock timer: a thread descheduled (by a wake-up of the thread it notified, or another
 * process) keeps being charged to the JS frame it stopped in, so a profile on a busy 2-vCPU VM is no
 * measure of CPU (it overstated how much slower the pods were on a worker: 10-55 %).
 * The replay checks itself: every replayed 'ran' answer's records must equal the recorded run's (their
 * count and a checksum), so a replay that drifted from the real run fails loudly.
 * Not part of `npm run bench`: a diagnostic to repeat by hand (see docs/one-run-on-every-core.md).
 */

interface Recording {
  init: HostInit;
  requests: HostRequest[];
  /** Per request: its answer's record count and checksum ('ran'), for the replay's self-check. */
  checks: (number[] | null)[];
}

/** This thread's CPU time in ns so far (Linux: the first field of /proc/thread-self/schedstat). */
function threadCpuNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

function check(r: HostReply | undefined): number[] | null {
  if (r === undefined || r.op !== 'ran') return null;
  let sum = 0;
  for (let i = 0; i < r.records.length; i++) sum = (sum * 31 + r.records[i]!) % 1e15;
  return [r.records.length, sum, r.events];
}

/** Replay every request into a fresh host on this thread; handle's CPU alone is counted. */
function replay(rec: Recording): { handleCpuS: number; events: number } {
  const host = new PodHost(rec.init);
  let cpu = 0;
  let events = 0;
  for (let i = 0; i < rec.requests.length; i++) {
    const m = rec.requests[i]!;
    const t0 = threadCpuNs();
    const r = host.handle(m);
    cpu += threadCpuNs() - t0;
    const want = rec.checks[i];
    const got = check(r);
    if (want && (!got || got[0] !== want[0] || got[1] !== want[1])) {
      throw new Error(`replay drifted at request ${i}: ${JSON.stringify(got)} against ${JSON.stringify(want)}`);
    }
    if (r?.op === 'ran') events = r.events;
  }
  return { handleCpuS: cpu / 1e9, events };
}

function replays(rec: Recording, mode: string): void {
  if (process.env.GMPSIM_REPLAY_DETACH === '1') {
    // Detach one unrelated ArrayBuffer first (a transfer does), as a worker's first answer does.
    const b = new ArrayBuffer(8);
    structuredClone(b, { transfer: [b] });
    if (b.byteLength !== 0) throw new Error('not detached');
  }
  const repeat = Number(process.env.GMPSIM_REPLAY_REPEAT ?? 1);
  for (let i = 0; i < repeat; i++) {
    const th0 = threadCpuNs();
    const w0 = process.hrtime.bigint();
    // A fresh copy each time: a request's arrivals are read, never written, but the host keeps nothing shared.
    const r = replay(i === 0 ? rec : (deserialize(serialize(rec)) as Recording));
    const out = {
      mode,
      round: i,
      handleCpuS: round(r.handleCpuS),
      threadCpuS: round((threadCpuNs() - th0) / 1e9),
      wallS: round(Number(process.hrtime.bigint() - w0) / 1e9),
      requests: rec.requests.length,
      events: r.events,
    };
    if (parentPort) parentPort.postMessage(out);
    else process.stdout.write(`${JSON.stringify(out)}\n`);
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function load(file: string): Recording {
  return deserialize(readFileSync(file)) as Recording;
}

/** Each of this process's threads that used CPU: user and system seconds (clock ticks of 10 ms). */
function threadTimes(): { tid: number; userS: number; sysS: number }[] {
  return readdirSync('/proc/self/task')
    .map((tid) => {
      const st = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      return { tid: Number(tid), userS: Number(f[11]) / 100, sysS: Number(f[12]) / 100 };
    })
    .filter((t) => t.userS + t.sysS > 0.05);
}

/** CPU seconds of this process's threads other than the main one (Linux), by OS thread id. */
function otherThreadsCpuS(): Map<number, number> {
  const m = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    if (Number(tid) === process.pid) continue;
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    m.set(Number(tid), ns / 1e9);
  }
  return m;
}

/** The real transport's channel (worker-transport.ts's HostChannel) to this file's `loop`, which times handle. */
class LoopTransport {
  readonly worker: Worker;
  private readonly channel = new HostChannel();
  constructor(init: HostInit) {
    const { far, flags } = this.channel;
    this.worker = new Worker(new URL(import.meta.url), { workerData: { init, port: far, flags }, transferList: [far] });
    this.worker.unref();
  }
  send(m: HostRequest): void {
    this.channel.post(m);
  }
  receive(): HostReply {
    return this.channel.take(() => true)!;
  }
  /** Handle's CPU in the worker (asks it to close). */
  finish(): { handleCpuS: number; parts: Record<string, number> } {
    this.send({ op: 'close' });
    return this.receive() as unknown as { handleCpuS: number; parts: Record<string, number> };
  }
  close(): void {
    void this.worker.terminate();
    this.channel.port.close();
  }
}

/** GMPSIM_REPLAY_PARTS=1 (main): CPU of the host's parts, each method wrapped (a diagnostic). */
const parts: Record<string, number> = {};
async function timeParts(): Promise<void> {
  const { PodEngines } = await import('../src/parallel/pod-engines.js');
  wrapParts(PodHost.prototype, ['run', 'apply', 'view']);
  wrapParts(PodEngines.prototype, ['runSlice', 'drain']);
}

/** Each method of `proto` named, wrapped to sum its CPU into `parts` (nested calls count in both). */
function wrapParts(proto: object, names: string[]): void {
  const o = proto as Record<string, (...a: unknown[]) => unknown>;
  for (const name of names) {
    const f = o[name]!;
    parts[name] = 0;
    o[name] = function (this: unknown, ...a: unknown[]) {
      const t0 = threadCpuNs();
      const r = f.apply(this, a);
      parts[name]! += threadCpuNs() - t0;
      return r;
    };
  }
}

function partsS(): Record<string, number> {
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v / 1e9)]));
}

/** A whole fleet run through `advanceTo` and `finish`: this thread's CPU, the wall time and the events. */
async function timedRun(
  s: Scenario,
  options: ExperimentOptions,
): Promise<{ threadCpuS: number; wallS: number; events: number }> {
  const { Experiment } = await import('../src/sim/experiment.js');
  const th0 = threadCpuNs();
  const w0 = process.hrtime.bigint();
  const exp = new Experiment(s, 1, options);
  exp.advanceTo(exp.endNs);
  const { summary } = exp.finish();
  return {
    threadCpuS: round((threadCpuNs() - th0) / 1e9),
    wallS: round(Number(process.hrtime.bigint() - w0) / 1e9),
    events: summary.engine.events,
  };
}

async function main(): Promise<void> {
  const [mode, file, a3, a4] = process.argv.slice(2);
  if (!mode || !file) throw new Error('usage: host-replay.js record|main|worker|transport FILE [simulatedS] [pods]');
  switch (mode) {
    case 'record': {
      const { fleetScenario } = await import('./fleet-scenario.js');
      const { Experiment } = await import('../src/sim/experiment.js');
      const { HostOnThisThread } = await import('../src/parallel/pod-threads.js');
      const s = fleetScenario(Number(a3 ?? 300), Number(a4 ?? 100));
      const rec: Recording = { init: { scenario: s, seed: 1 }, requests: [], checks: [] };
      class RecordingHost extends HostOnThisThread {
        override send(m: HostRequest): void {
          if (m.op !== 'gate') {
            // A copy: the coordinator reuses its arrivals buffer, and the host may keep objects.
            rec.requests.push(structuredClone(m.op === 'run' ? { ...m, arrivals: m.arrivals.slice() } : m));
          }
          super.send(m);
        }
      }
      // Every pod on one host on this thread; its answers' checks are taken by replaying once here.
      const exp = new Experiment(s, 1, { threads: 2, podHosts: (init) => [new RecordingHost(init)] });
      exp.advanceTo(exp.endNs);
      exp.finish();
      const host = new PodHost(rec.init);
      for (const m of rec.requests) rec.checks.push(check(host.handle(structuredClone(m))));
      writeFileSync(file, serialize(rec));
      process.stdout.write(`${JSON.stringify({ recorded: rec.requests.length, file })}\n`);
      return;
    }
    case 'main':
      if (process.env.GMPSIM_REPLAY_PARTS === '1') await timeParts();
      replays(load(file), 'main');
      if (process.env.GMPSIM_REPLAY_PARTS === '1') process.stdout.write(`${JSON.stringify(partsS())}\n`);
      return;
    case 'one': {
      // The real one-thread run (PodEngines on this thread, no host), its pods' slices timed (finish: place
      // the slice's arrivals, run every pod through it).
      const { fleetScenario } = await import('./fleet-scenario.js');
      const { PodEngines } = await import('../src/parallel/pod-engines.js');
      wrapParts(PodEngines.prototype, ['finish']);
      const r = await timedRun(fleetScenario(Number(file), Number(a3 ?? 100)), {});
      const out = { mode, runCpuS: round(parts.finish! / 1e9), ...r };
      process.stdout.write(`${JSON.stringify(out)}\n`);
      return;
    }
    case 'coord': {
      // The real run on worker threads (--threads N, default 2): the coordinator's CPU in ThreadedPods' parts.
      const { fleetScenario } = await import('./fleet-scenario.js');
      const { ThreadedPods } = await import('../src/parallel/pod-threads.js');
      const { podWorkers, WorkerTransport } = await import('../src/parallel/worker-transport.js');
      // Only what runs a few times a slice: reading the clock costs ~1 us, too much for per-request methods.
      wrapParts(ThreadedPods.prototype, ['start', 'finish', 'drain']);
      wrapParts(WorkerTransport.prototype, ['send', 'receive']);
      const s = fleetScenario(Number(file), Number(a4 ?? 100));
      const r = await timedRun(s, { threads: Number(a3 ?? 2), podHosts: podWorkers });
      process.stdout.write(`${JSON.stringify({ mode, ...r, parts: partsS() })}\n`);
      return;
    }
    case 'here': {
      // The real run with its one host on this thread (GMPSIM_BENCH_HOSTS_HERE=1 with one host), handle timed.
      const { fleetScenario } = await import('./fleet-scenario.js');
      const { HostOnThisThread } = await import('../src/parallel/pod-threads.js');
      const { PodEngines } = await import('../src/parallel/pod-engines.js');
      wrapParts(HostOnThisThread.prototype, ['send']);
      wrapParts(PodEngines.prototype, ['runSlice']);
      const s = fleetScenario(Number(file), Number(a3 ?? 100));
      const r = await timedRun(s, { threads: 2, podHosts: (init) => [new HostOnThisThread(init)] });
      const out = { mode, handleCpuS: round(parts.send! / 1e9), runSliceCpuS: round(parts.runSlice! / 1e9), ...r };
      process.stdout.write(`${JSON.stringify(out)}\n`);
      return;
    }
    case 'worker': {
      // (b): the worker reads and deserializes the file itself, then replays with no port in the loop.
      const w = new Worker(new URL(import.meta.url), { workerData: { file } });
      w.on('message', (m) => {
        process.stdout.write(`${JSON.stringify(m)}\n`);
        if (process.env.GMPSIM_REPLAY_TIMES === '1') process.stderr.write(`${JSON.stringify(threadTimes())}\n`);
      });
      await new Promise((ok, fail) => {
        w.on('exit', ok);
        w.on('error', fail);
      });
      return;
    }
    case 'loop':
    case 'transport': {
      const timed = mode === 'loop';
      // (c): the real transport and pod-worker.js; handle cannot be timed there, so the thread's CPU is.
      const { WorkerTransport } = await import('../src/parallel/worker-transport.js');
      const rec = load(file);
      const before = otherThreadsCpuS();
      const w0 = process.hrtime.bigint();
      const t = timed ? new LoopTransport(rec.init) : new WorkerTransport(rec.init);
      t.worker.on('error', (e) => process.stderr.write(`pod worker: ${e}\n`));
      const gate = new Int32Array(new SharedArrayBuffer(8));
      t.send({ op: 'gate', gate, host: 0 });
      let events = 0;
      for (let i = 0; i < rec.requests.length; i++) {
        const m = rec.requests[i]!;
        t.send(m);
        if (m.op === 'close') continue;
        const r = t.receive();
        if (r.op === 'error') throw new Error(`request ${i} (${m.op}): ${r.stack ?? r.message}`);
        const want = rec.checks[i];
        const got = check(r);
        if (want && (!got || got[0] !== want[0] || got[1] !== want[1])) throw new Error(`drifted at ${i}`);
        if (r.op === 'ran') events = r.events;
      }
      const wallS = Number(process.hrtime.bigint() - w0) / 1e9;
      const after = otherThreadsCpuS();
      let worker = 0;
      for (const [tid, s] of after) worker = Math.max(worker, s - (before.get(tid) ?? 0));
      const timing = t instanceof LoopTransport ? t.finish() : undefined;
      if (process.env.GMPSIM_REPLAY_TIMES === '1') process.stderr.write(`${JSON.stringify(threadTimes())}\n`);
      t.close();
      const out = {
        mode,
        ...(timing !== undefined ? { handleCpuS: round(timing.handleCpuS), ...timing.parts } : {}),
        threadCpuS: round(worker),
        wallS: round(wallS),
        requests: rec.requests.length,
        events,
      };
      process.stdout.write(`${JSON.stringify(out)}\n`);
      return;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

/**
 * (c'): pod-worker.ts's loop, line for line (Atomics.wait on the request counter, HostEnd's next and
 * answer), with handle's CPU summed; the total is posted when 'close' comes.
 */
function loop(init: HostInit, port: MessagePort, flags: Int32Array): void {
  const startCpu = threadCpuNs();
  const end = new HostEnd(port, flags);
  let host: PodHost | undefined;
  let seen = 0;
  let cpu = 0;
  let waitCpu = 0;
  let receiveCpu = 0;
  let answerCpu = 0;
  let postCpu = 0;
  let handleWall = 0n;
  for (let open = true; open; ) {
    let t = threadCpuNs();
    Atomics.wait(flags, 0, seen);
    seen = Atomics.load(flags, 0);
    waitCpu += threadCpuNs() - t;
    t = threadCpuNs();
    for (let req = end.next(); req !== undefined; req = end.next()) {
      receiveCpu += threadCpuNs() - t;
      if (req.op === 'close') {
        open = false;
        break;
      }
      host ??= new PodHost(init);
      const t0 = threadCpuNs();
      const w0 = process.hrtime.bigint();
      const r = host.handle(req);
      handleWall += process.hrtime.bigint() - w0;
      const t1 = threadCpuNs();
      cpu += t1 - t0;
      if (r) {
        end.answer(req, r);
        postCpu += threadCpuNs() - t1;
      }
      t = threadCpuNs();
      answerCpu += t - t1;
    }
  }
  const s = (ns: number) => round(ns / 1e9);
  port.postMessage({
    handleCpuS: cpu / 1e9,
    parts: {
      startS: s(startCpu),
      waitS: s(waitCpu),
      receiveS: s(receiveCpu),
      answerS: s(answerCpu),
      postS: s(postCpu),
      handleWallS: s(Number(handleWall)),
    },
  });
  Atomics.add(flags, 1, 1);
  Atomics.notify(flags, 1);
}

if (isMainThread) {
  await main();
} else if ((workerData as { port?: MessagePort }).port) {
  const d = workerData as { init: HostInit; port: MessagePort; flags: Int32Array };
  loop(d.init, d.port, d.flags);
} else {
  replays(load((workerData as { file: string }).file), 'worker');
}
