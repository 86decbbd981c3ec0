import type { GTable } from './gtable.js';

/**
 * Free lists of dead Gs (proc.go gfput/gfget, sched.gFree): one per P and a global one, linked through
 * GTable.link, so a pod's G table follows its peak live goroutine count. A leaf over the G table.
 */
export class GFreeLists {
  /** Each P's list head (−1: empty) and length (schedtrace's gfreecnt). */
  readonly head: Int32Array;
  readonly count: Int32Array;
  private globalHead = -1;

  constructor(
    nP: number,
    private readonly g: GTable,
  ) {
    this.head = new Int32Array(nP).fill(-1);
    this.count = new Int32Array(nP);
  }

  /** gfput: gp goes on pp's list; above 64, Gs move to the global list until 32 remain. */
  gfput(pp: number, gp: number): void {
    const g = this.g;
    g.link[gp] = this.head[pp]!;
    this.head[pp] = gp;
    if (++this.count[pp]! >= 64) {
      while (this.count[pp]! >= 32) {
        const x = this.head[pp]!;
        this.head[pp] = g.link[x]!;
        this.count[pp]!--;
        g.link[x] = this.globalHead;
        this.globalHead = x;
      }
    }
  }

  /** gfget: a dead G from pp's list, refilled with up to 32 from the global list when empty; −1 if none. */
  gfget(pp: number): number {
    const g = this.g;
    if (this.head[pp] === -1) {
      while (this.count[pp]! < 32 && this.globalHead >= 0) {
        const x = this.globalHead;
        this.globalHead = g.link[x]!;
        g.link[x] = this.head[pp]!;
        this.head[pp] = x;
        this.count[pp]!++;
      }
    }
    const gp = this.head[pp]!;
    if (gp >= 0) {
      this.head[pp] = g.link[gp]!;
      this.count[pp]!--;
    }
    return gp;
  }

  /** gfpurge (p.destroy): every G on pp's list goes to the global list. */
  gfpurge(pp: number): void {
    const g = this.g;
    while (this.head[pp] !== -1) {
      const x = this.head[pp]!;
      this.head[pp] = g.link[x]!;
      g.link[x] = this.globalHead;
      this.globalHead = x;
    }
    this.count[pp] = 0;
  }

  /** A dead G from the global list (a G made without a P: the netpoller's), or −1. */
  gfgetGlobal(): number {
    const gp = this.globalHead;
    if (gp < 0) return -1;
    this.globalHead = this.g.link[gp]!;
    return gp;
  }
}
