import { grow } from '../../engine/grow.js';
import type { GTable } from './gtable.js';
import { Gdead, Gsyscall } from './states.js';

/** Every G holds at least the starting stack (stackMin, 2 KiB); dead Gs keep theirs on the free lists. */
export const STACK_MIN = 2048;

/**
 * Goroutine stacks (stack.go), kept when some step runs deep: each G's stack size, whether it is deep in a
 * call chain now, and the bytes allocated above the 2 KiB every G holds. A leaf: it answers with sizes
 * and times; the scheduler decides what they cost.
 */
export class Stacks {
  /** Each G's stack size, bytes, and whether it is deep (a `deep` step's call chain is on it) now. */
  size: Uint32Array;
  deep: Uint8Array;
  /** Stack bytes above STACK_MIN per G, summed over all Gs. */
  extra = 0;
  readonly stats = { growths: 0, shrinks: 0, copiedBytes: 0 };

  constructor(capacity: number) {
    this.size = new Uint32Array(capacity).fill(STACK_MIN);
    this.deep = new Uint8Array(capacity);
  }

  /** The G table grew to `capacity`: new Gs start with the minimum stack. */
  ensureCapacity(capacity: number): void {
    if (this.size.length >= capacity) return;
    this.size = grow(this.size, new Uint32Array(capacity).fill(STACK_MIN));
    this.deep = grow(this.deep, new Uint8Array(capacity));
  }

  /**
   * newstack/copystack: double gp's stack until `need` bytes fit; returns the bytes copied (0: it fit).
   * A call chain deepens frame by frame, so each doubling is its own overflow: one newstack, one
   * copystack of the whole (full) old stack — counted one growth each, as runtime/metrics would.
   */
  morestack(gp: number, need: number): number {
    const st = this.size;
    this.deep[gp] = 1;
    let size = st[gp]!;
    if (size >= need) return 0;
    let copied = 0;
    let doublings = 0;
    while (size < need) {
      copied += size; // the stack was full when it overflowed: all of it is copied
      size *= 2;
      doublings++;
    }
    this.extra += size - st[gp]!;
    st[gp] = size;
    this.stats.growths += doublings;
    this.stats.copiedBytes += copied;
    return copied;
  }

  /** The deep call chain returned: the stack stays grown until a GC shrinks it. */
  pop(gp: number): void {
    this.deep[gp] = 0;
  }

  /** gfput (proc.go): a dead G's grown stack is freed; the G is reused with a fresh starting stack. */
  gfree(gp: number): void {
    const size = this.size[gp]!;
    if (size <= STACK_MIN) return;
    this.extra -= size - STACK_MIN;
    this.size[gp] = STACK_MIN;
    this.deep[gp] = 0;
  }

  /**
   * shrinkstack, at each GC's mark (scanstack): a stack using under a quarter of itself is halved, down
   * to 2 KiB — not while the G is deep in a call chain or in a syscall. A shallow G uses ~1 KiB.
   * Gs below `firstG` (runtime-owned mark workers) are skipped.
   */
  shrinkStacks(g: GTable, firstG: number): void {
    const st = this.size;
    for (let gp = firstG; gp < g.count; gp++) {
      const size = st[gp]!;
      if (size <= STACK_MIN || this.deep[gp] || g.status[gp] === Gdead || g.status[gp] === Gsyscall) continue;
      if (1024 >= size / 4) continue;
      st[gp] = size / 2;
      this.extra -= size / 2;
      this.stats.shrinks++;
    }
  }
}
