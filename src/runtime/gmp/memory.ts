import type { GcDriver } from '../gc/cycle.js';
import type { GTable } from './gtable.js';
import { STACK_MIN, type Stacks } from './stack.js';

const NO_STACK_STATS: Stacks['stats'] = Object.freeze({ growths: 0, shrinks: 0, copiedBytes: 0 });

/**
 * The pod's memory as the kernel sees it (its RSS, which the container limit and the OOM killer judge):
 * the heap (live + not yet collected, gc/cycle.ts), goroutine stacks (stack.ts) and a fixed runtime
 * overhead. Not a file of Go's runtime; it reads the collector and the stacks and returns numbers.
 */
export class Memory {
  /** The highest rssBytes seen at an allocation or a sample. */
  peakRssBytes = 0;
  /** The collector whose heap counts, once made (GcDriver reads stackBytes while it is being built). */
  gc: GcDriver | undefined = undefined;

  constructor(
    private readonly g: GTable,
    private readonly stacks: Stacks | undefined,
    private readonly overheadBytes: number,
    /** The container's memory limit, bytes (undefined: none). */
    private readonly limitBytes: number | undefined,
    /** Runtime-owned Gs (mark workers) at the start of the G table, which shrinkstack skips. */
    private readonly nSystemGs: number,
  ) {}

  /** Heap (live + not yet collected) + goroutine stacks + runtime overhead, bytes. */
  rssBytes(): number {
    return (this.gc ? this.gc.heapLive : 0) + this.stackBytes() + this.overheadBytes;
  }

  /** Note the RSS now (for the peak); true when it is past the container limit (the OOM killer's cue). */
  note(): boolean {
    const rss = this.rssBytes();
    if (rss > this.peakRssBytes) this.peakRssBytes = rss;
    return this.limitBytes !== undefined && rss > this.limitBytes;
  }

  /** Goroutine stack memory: every G ever made keeps at least a 2 KiB stack (gfput keeps standard stacks). */
  stackBytes(): number {
    return this.g.count * STACK_MIN + (this.stacks?.extra ?? 0);
  }

  /** Stack growths, shrinks and bytes copied (zeros when no step runs deep). */
  get stackStats(): Stacks['stats'] {
    return this.stacks?.stats ?? NO_STACK_STATS;
  }

  /** shrinkstack over every goroutine (at each GC's mark). */
  shrinkStacks(): void {
    this.stacks?.shrinkStacks(this.g, this.nSystemGs);
  }
}
