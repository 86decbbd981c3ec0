/*
 * select with a timeout (select.go's selectgo over one channel case and a timer case, the timer being
 * time.After's: time.go). The channel case is polled first; if it cannot proceed the G parks on the
 * channel's queue and on a timer at once. Whichever comes first wins: a partner on the channel readies it
 * (as for any parked sender or receiver) and its timer goes stale; or the timer fires first, and the G
 * leaves the channel's queue (dequeueSudoG) and resumes at its timeout branch.
 *
 * A timer is found again by its slot: the timers heap holds ~slot (negative, beside sleeping Gs' plain G
 * numbers), and a fired slot counts only while its G still waits in the same select (deltimer's lazy
 * deletion: Go also leaves a stopped timer in the heap until it comes up).
 */
import { WAIT_SELECT } from './states.js';

/** The timers heap's id for select slot `slot` (negative: sleeping Gs' ids are their G numbers, ≥ 0). */
export const selectTimerId = (slot: number): number => ~slot;

/** Select slots: which G waits in which select, on which channel and direction, resuming where on timeout. */
export class SelectTimers {
  private slotG = new Int32Array(16);
  private slotChan = new Int32Array(16);
  private slotSend = new Uint8Array(16);
  private slotPc = new Int32Array(16);
  private free: number[] = [];
  private next = 0;
  /** Per G: its live select slot, or -1. */
  private gSlot = new Int32Array(0);
  /** After `fired`: the channel, direction and timeout pc of the select that timed out. */
  firedChan = -1;
  firedSend = false;
  firedPc = -1;

  /** gp parks in a select on chan `c` (send or receive), resuming at `timeoutPc` if the timer wins: its slot. */
  arm(gp: number, c: number, send: boolean, timeoutPc: number): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.next++;
      if (slot === this.slotG.length) this.grow();
    }
    this.slotG[slot] = gp;
    this.slotChan[slot] = c;
    this.slotSend[slot] = send ? 1 : 0;
    this.slotPc[slot] = timeoutPc;
    if (gp >= this.gSlot.length) {
      const s = new Int32Array(Math.max(64, (gp + 1) * 2)).fill(-1);
      s.set(this.gSlot);
      this.gSlot = s;
    }
    this.gSlot[gp] = slot;
    return slot;
  }

  /**
   * Slot's timer fired (its slot is free again): the G whose select it times out, or -1 when stale (the
   * G was woken by its channel since: it no longer waits in this select; `waitReason` is GTable's).
   */
  fired(slot: number, waitReason: Uint8Array): number {
    const gp = this.slotG[slot]!;
    this.free.push(slot);
    if (this.gSlot[gp] !== slot || waitReason[gp] !== WAIT_SELECT) return -1;
    this.gSlot[gp] = -1;
    this.firedChan = this.slotChan[slot]!;
    this.firedSend = this.slotSend[slot] === 1;
    this.firedPc = this.slotPc[slot]!;
    return gp;
  }

  private grow(): void {
    const n = this.slotG.length * 2;
    const g = new Int32Array(n);
    g.set(this.slotG);
    this.slotG = g;
    const c = new Int32Array(n);
    c.set(this.slotChan);
    this.slotChan = c;
    const s = new Uint8Array(n);
    s.set(this.slotSend);
    this.slotSend = s;
    const p = new Int32Array(n);
    p.set(this.slotPc);
    this.slotPc = p;
  }
}
