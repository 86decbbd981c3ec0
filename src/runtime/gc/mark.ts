import type { GcDriver } from './cycle.js';
import { WORKER_NONE } from './cycle.js';

/** assistNext's answers besides a chunk's scan time: the G goes on with its program, or parks. */
export const ASSIST_GO_ON = -1;
export const ASSIST_PARK = -2;

/** Receives the start and end of each mark-assist chunk on a P (a trace's assist slices). */
export interface AssistTracer {
  assistChunk(pp: number, starts: boolean): void;
}

/**
 * Per-P mark state and the two loops that scan on a P (mgc.go gcBgMarkWorker, mgcmark.go gcAssistAlloc):
 * each P's background worker mode and the chunk it is scanning, and the mark assist its G is doing. The
 * scheduler runs a chunk as a CPU burst; at the burst's end it asks here what comes next. A leaf beside
 * the GC driver (cycle.ts): it answers with scan times (ns) or park, and the scheduler runs or parks.
 */
export class GcMark {
  /** Each P's background mark worker mode (WORKER_*; WORKER_NONE: not marking). */
  readonly mode: Uint8Array;
  /** Scan work of the worker chunk each P is running now, and its length, ns. */
  private readonly chunk: Float64Array;
  private readonly chunkNs: Float64Array;
  /** Scan work of the mark assist the P's G is doing now (0: none), and what it still owes. */
  readonly assistWork: Float64Array;
  private readonly assistLeft: Float64Array;
  /** Assist chunks as slices, when a trace is recorded. */
  tracer: AssistTracer | undefined;

  constructor(
    private readonly gc: GcDriver | undefined,
    nP: number,
  ) {
    this.mode = new Uint8Array(nP);
    this.chunk = new Float64Array(nP);
    this.chunkNs = new Float64Array(nP);
    this.assistWork = new Float64Array(nP);
    this.assistLeft = new Float64Array(nP);
  }

  /** gcBgMarkWorker's loop, first half: credit the chunk pp's worker just scanned (gcDrain's flush). */
  workerCredit(pp: number): void {
    if (this.chunk[pp]! > 0) {
      const work = this.chunk[pp]!;
      this.chunk[pp] = 0;
      this.gc!.workerChunkDone(pp, this.mode[pp]!, work, this.chunkNs[pp]!);
    }
  }

  /**
   * gcBgMarkWorker's loop, second half: the next chunk's scan time, ns, or -1 when the mode says stop (no
   * work; a fractional worker over its share; an idle worker while `otherWork` — pollWork — is true):
   * the worker then parks.
   */
  workerNext(pp: number, otherWork: boolean): number {
    const gc = this.gc!;
    const mode = this.mode[pp]!;
    const work = gc.workerNextChunk(pp, mode, otherWork);
    if (work > 0) {
      const ns = work / gc.cfg.scanBytesPerNs;
      this.chunk[pp] = work;
      this.chunkNs[pp] = ns;
      return ns;
    }
    gc.workerStop(mode);
    this.mode[pp] = WORKER_NONE;
    return -1;
  }

  /** gcAssistAlloc: pp's G must scan `assistWork` bytes (the driver's answer to its allocation). */
  startAssist(pp: number): void {
    this.assistLeft[pp] = this.gc!.assistWork;
  }

  /** An assist chunk of gp on pp ended: credit it (then ask assistNext). */
  assistChunkEnded(pp: number, gp: number): void {
    const work = this.assistWork[pp]!;
    this.assistWork[pp] = 0;
    this.assistLeft[pp] = Math.max(0, this.assistLeft[pp]! - work);
    this.tracer?.assistChunk(pp, false);
    this.gc!.assistChunkDone(gp, work);
  }

  /**
   * gcAssistAlloc's loop: the next chunk's scan time, ns; or, out of work while still in debt during a
   * mark (or told to `park`), gcParkAssist → ASSIST_PARK; else ASSIST_GO_ON.
   */
  assistNext(pp: number, gp: number, park: boolean): number {
    const gc = this.gc!;
    if (!park && this.assistLeft[pp]! > 0) {
      const w = gc.claimChunk(this.assistLeft[pp]!);
      if (w > 0) {
        this.assistWork[pp] = w;
        this.tracer?.assistChunk(pp, true);
        return w / gc.cfg.scanBytesPerNs;
      }
    }
    this.assistLeft[pp] = 0;
    if (!park && !(gc.marking && gc.gAssist[gp]! < 0)) return ASSIST_GO_ON;
    if (!park) gc.parkAssist(gp);
    return ASSIST_PARK;
  }

  /** A preempted assist: its chunk counts as scanned; the G stops assisting for now. */
  preemptAssist(pp: number, gp: number): void {
    if (this.assistWork[pp]! <= 0) return;
    this.tracer?.assistChunk(pp, false);
    this.gc!.assistChunkDone(gp, this.assistWork[pp]!);
    this.assistWork[pp] = this.assistLeft[pp] = 0;
  }
}
