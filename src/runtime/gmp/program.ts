import type { KeyedStream, RandomStreams } from '../../engine/random.js';
import type { CallSpec } from '../../scenario/service-schema.js';
import { type Step, visitStep } from '../../scenario/steps.js';
import { type DurationSampler, durationSampler, sizeSampler } from '../../workload/distributions.js';

/**
 * Operations a G's program is compiled into (one per step, plus the implicit ones). A const enum: plain
 * numbers in the Int32Array `op`, and interp.ts's switch over them is checked exhaustive by the compiler.
 * tsc inlines the members as literals (the project does not set isolatedModules); a plain enum would cost
 * a property load per op in the interpreter's switch.
 */
// biome-ignore lint/suspicious/noConstEnum: inlined to literals by tsc, on the interpreter's hot path
export const enum Op {
  End = 0,
  Cpu = 1, // run on the P for a drawn duration
  Syscall = 2, // blocking syscall: the M blocks, the P may be retaken
  Netpoll = 3, // park until the network is ready (netpoll)
  Sleep = 4, // time.Sleep: a timer on the current P
  Spawn = 5, // `go f()` × count (newproc)
  WaitChildren = 6, // wait for the spawned children (a channel receive)
  Lock = 7, // sync.Mutex.Lock
  Unlock = 8, // sync.Mutex.Unlock
  Gosched = 9, // runtime.Gosched
  Alloc = 10, // mallocgc: heap bytes (arg: size sampler, arg2: bytes per object)
  GcMark = 11, // a background mark worker's loop (gcBgMarkWorker)
  StackGrow = 12, // the call chain gets arg bytes deep (morestack → newstack/copystack)
  StackPop = 13, // back to the shallow resting depth
  Send = 14, // chansend (arg: channel)
  Recv = 15, // chanrecv (arg: channel)
  Call = 16, // a call to a dependency through the pod's pool (arg: compiled call, service/calls.ts)
  Select = 17, // selectgo over a channel case and a timer (arg: select index, arg2: pc offset of the timeout branch)
  Jump = 18, // go on at pc + arg (past a select's timeout branch)
  Close = 19, // closechan (arg: channel)
  RLock = 20, // sync.RWMutex.RLock (arg: rwmutex)
  RUnlock = 21, // sync.RWMutex.RUnlock
  WLock = 22, // sync.RWMutex.Lock
  WUnlock = 23, // sync.RWMutex.Unlock
}

/**
 * The server library's own work on each request's goroutine (runtime.server), beside the steps.
 * `readSyscall`: the request is read with read(2) through syscall.Syscall before the handler runs
 * (net/http's conn.serve → bufio fill → poll.FD.Read → syscall.Read), so entersyscall runs first: if
 * sysmon is in its deep sleep, entersyscall_sysmon wakes it with its backoff reset (proc.go
 * reentersyscall, sysmon's syscallWake). Its kernel time is in `cpuMs` (the read takes no extra time here).
 */
export interface ServerWork {
  cpuMs: number;
  readSyscall: boolean;
}
export const NO_SERVER: ServerWork = { cpuMs: 0, readSyscall: false };

/**
 * Programs as flat typed arrays: program p's ops are op[start[p] .. start[p+1]); `arg` is a sampler
 * index (CPU, syscall, netpoll, sleep), a child program (spawn, with the count in `arg2`) or a mutex.
 * Each step draws from its own named keyed stream ("request.steps[2]"), positioned per draw by the G's
 * key (its request's, or its spawner's and its place among the spawned) and the op's pc: editing one step
 * never shifts another step's draws, and a request's work is the same whichever pod runs it and in
 * whatever order (common random numbers across variants; see KeyedStream).
 */
export class Programs {
  readonly op: Int32Array;
  readonly arg: Int32Array;
  readonly arg2: Int32Array;
  readonly start: number[] = [];
  readonly samplers: DurationSampler[] = [];
  /** Per sampler, the keyed stream it draws from (positioned by `draw`). */
  private readonly streams: KeyedStream[] = [];
  readonly mutexNames: string[] = [];
  readonly rwmutexNames: string[] = [];
  /** Per select (Op.Select's arg): its channel, whether it sends, and its timeout's sampler. */
  readonly selectChan: number[] = [];
  readonly selectSend: boolean[] = [];
  readonly selectTimeout: number[] = [];
  /** Declared channels, in declaration order (ops name them by index), and their buffer sizes. */
  readonly chanNames: string[];
  readonly chanCapacity: number[];
  /** Some step allocates: the pod runs the GC model. */
  allocates = false;
  /** Some step runs deep: Gs get their own stack sizes. */
  growsStacks = false;
  readonly gcWorkerProg: number;

  /** Some step calls a dependency. */
  calls = false;

  /**
   * `server`: what the server library does on each request's goroutine besides the steps (runtime.server).
   * Its CPU (net/http's read, parse and write) is one burst after the steps. Its read of the request
   * (`readSyscall`) runs before them: the ops sit after every program and jump to the steps. So the steps
   * keep their pcs, and their draws do not move (a draw is positioned by pc).
   */
  constructor(
    root: readonly Step[],
    rng: RandomStreams,
    channels: Readonly<Record<string, { capacity: number }>> = {},
    server: ServerWork = NO_SERVER,
    /** The service world's compiler of `call` steps (their index); absent when no dependency is declared. */
    compileCall?: (spec: CallSpec) => number,
  ) {
    this.chanNames = Object.keys(channels);
    this.chanCapacity = this.chanNames.map((c) => channels[c]!.capacity);
    const chan = (name: string) => {
      const c = this.chanNames.indexOf(name);
      if (c < 0) throw new Error(`gmp: channel "${name}" is not declared in runtime.channels`);
      return c;
    };
    const ops: Array<[Op, number, number]> = [];
    const pending: Array<{ steps: readonly Step[]; path: string; id: number }> = [];
    let nextId = 0;
    const emit = (steps: readonly Step[], path: string, id: number, coda: readonly Step[] = []) => {
      this.start[id] = ops.length;
      body(steps, path);
      body(coda, 'runtime.server');
      ops.push([Op.End, 0, 0]);
    };
    // A loop body is compiled once (one sampler per step, so its draws continue across iterations) and
    // its ops copied `count` times: programs stay flat, with no loop counters per G.
    const body = (steps: readonly Step[], path: string): void => {
      steps.forEach((s, i) => {
        const where = `${path}[${i}]`;
        const stream = rng.keyed(where);
        const sampler = (spec: Parameters<typeof durationSampler>[0]) => {
          this.streams.push(stream);
          return this.samplers.push(durationSampler(spec, stream)) - 1;
        };
        // One case per step kind (a Record, so a new kind is a compile error here, never silently nothing).
        visitStep<void>(s, {
          cpu: (d) => void ops.push([Op.Cpu, sampler(d), 0]),
          syscall: (d) => void ops.push([Op.Syscall, sampler(d), 0]),
          netpoll: (d) => void ops.push([Op.Netpoll, sampler(d), 0]),
          sleep: (d) => void ops.push([Op.Sleep, sampler(d), 0]),
          alloc: (size) => {
            this.streams.push(stream);
            // arg2: bytes per object, for mallocgc's per-object cost (malloc.ts).
            ops.push([Op.Alloc, this.samplers.push(sizeSampler(size, stream)) - 1, size.objectBytes]);
            this.allocates = true;
          },
          gosched: () => void ops.push([Op.Gosched, 0, 0]),
          spawn: (b) => {
            const child = ++nextId;
            pending.push({ steps: b.steps, path: `${where}.spawn.steps`, id: child });
            ops.push([Op.Spawn, child, b.count]);
            if (b.wait) ops.push([Op.WaitChildren, 0, 0]);
          },
          locked: (b) => {
            let mu = this.mutexNames.indexOf(b.mutex);
            if (mu < 0) mu = this.mutexNames.push(b.mutex) - 1;
            ops.push([Op.Lock, mu, 0], [Op.Cpu, sampler(b.cpu), 0], [Op.Unlock, mu, 0]);
          },
          deep: (b) => {
            const bytes = Math.round(b.stackKB * 1024);
            ops.push([Op.StackGrow, bytes, 0], [Op.Cpu, sampler(b.cpu), 0], [Op.StackPop, 0, 0]);
            this.growsStacks = true;
          },
          send: (b) => void ops.push([Op.Send, chan(b.chan), 0]),
          recv: (b) => void ops.push([Op.Recv, chan(b.chan), 0]),
          call: (b) => {
            if (!compileCall) throw new Error(`gmp: call to "${b.dependency}" but no dependencies are declared`);
            ops.push([Op.Call, compileCall(b), 0]);
            this.calls = true;
          },
          select: (b) => {
            const k = this.selectChan.push(chan(b.chan)) - 1;
            this.selectSend.push(b.op === 'send');
            this.selectTimeout.push(sampler(b.timeout));
            const at = ops.length;
            ops.push([Op.Select, k, 0]);
            body(b.ready, `${where}.select.ready`);
            if (b.timedOut.length > 0) {
              const jump = ops.length;
              ops.push([Op.Jump, 0, 0]);
              ops[at]![2] = ops.length - at;
              body(b.timedOut, `${where}.select.timedOut`);
              ops[jump]![1] = ops.length - jump;
            } else ops[at]![2] = ops.length - at;
          },
          close: (b) => void ops.push([Op.Close, chan(b.chan), 0]),
          rwlocked: (b) => {
            let rw = this.rwmutexNames.indexOf(b.rwmutex);
            if (rw < 0) rw = this.rwmutexNames.push(b.rwmutex) - 1;
            const [lock, unlock] = b.write ? [Op.WLock, Op.WUnlock] : [Op.RLock, Op.RUnlock];
            ops.push([lock, rw, 0], [Op.Cpu, sampler(b.cpu), 0], [unlock, rw, 0]);
          },
          repeat: (b) => {
            const from = ops.length;
            body(b.steps, `${where}.repeat.steps`);
            const to = ops.length;
            for (let k = 1; k < b.count; k++) for (let j = from; j < to; j++) ops.push(ops[j]!);
          },
        });
      });
    };
    const coda: readonly Step[] = server.cpuMs > 0 ? [{ cpu: { dist: 'constant', valueMs: server.cpuMs } }] : [];
    emit(root, 'request.steps', 0, coda);
    while (pending.length > 0) {
      const p = pending.shift()!;
      emit(p.steps, p.path, p.id);
    }
    // The GC's background mark worker program, last.
    this.gcWorkerProg = nextId + 1;
    this.start[this.gcWorkerProg] = ops.length;
    ops.push([Op.GcMark, 0, 0], [Op.End, 0, 0]);
    this.start[nextId + 2] = ops.length;
    if (server.readSyscall) {
      // The root G starts here: the read, then on at its steps (endPc(0) is still its own End).
      const steps0 = this.start[0]!;
      this.start[0] = ops.length;
      body([{ syscall: { dist: 'constant', valueMs: 0 } }], 'runtime.server.read');
      ops.push([Op.Jump, steps0 - ops.length, 0]);
    }
    this.op = Int32Array.from(ops, (o) => o[0]);
    this.arg = Int32Array.from(ops, (o) => o[1]);
    this.arg2 = Int32Array.from(ops, (o) => o[2]);
  }

  /** The pc of program p's Op.End (where a G jumps to end its program early). */
  endPc(p: number): number {
    return this.start[p + 1]! - 1;
  }

  /** Sampler `i`'s draw for the G keyed `key` at op `pc`: a function of (replication, step, key, pc) only. */
  draw(i: number, key: number, pc: number): number {
    this.streams[i]!.seek(key, pc);
    return this.samplers[i]!.sampleNs();
  }
}
