import { expect } from 'chai';
import { goexit, gopark, goschedImpl, newG, newproc } from '../../src/runtime/gmp/goroutines.js';
import type { Sched } from '../../src/runtime/gmp/sched.js';
import { Gdead, Grunnable, Grunning, Gwaiting, WAIT_CHAN_RECEIVE, WAIT_SLEEP } from '../../src/runtime/gmp/states.js';
import type { Step } from '../../src/scenario/schema.js';
import { CPU_1MS, mWithP, newSched } from '../support/direct-sched.js';

/**
 * goroutines.ts's rules (a G's life in proc.go: newproc, gopark, goexit0, goschedImpl), constructed
 * directly on a Sched (no scenario), one named case per rule.
 */

/** Program 0: spawn two children (program 1: 1 ms CPU) and wait for them. */
const SPAWN_WAIT: Step[] = [{ spawn: { count: 2, wait: true, steps: CPU_1MS } } as Step];

/** gp runs on pp under M m (as after execute, without running its program). */
function running(s: Sched, m: number, pp: number, gp: number): void {
  s.g.status[gp] = Grunning;
  s.g.m[gp] = m;
  s.pCurG[pp] = gp;
  s.mCurG[m] = gp;
  s.running++;
}

describe("goroutines.ts: a G's life (proc.go), on a directly built Sched", () => {
  it(
    "proc.go newproc: the child goes to the creator's runnext, the one it displaces to the runq tail; " +
      'wakep starts a spinning M for the idle P',
    () => {
      const { s } = newSched(2, SPAWN_WAIT);
      const m = mWithP(s, 0);
      const parent = newG(s, 0, -1, -1, 0);
      running(s, m, 0, parent);
      newproc(s, 0, parent, 1, 11);
      const first = s.rq.runnext[0]!;
      newproc(s, 0, parent, 1, 12);
      const second = s.rq.runnext[0]!;
      expect(second).to.not.equal(first);
      expect(s.rq.runqlen(0)).to.equal(1); // `first`, kicked out of runnext
      expect(s.g.children[parent]).to.equal(2);
      expect(s.g.parent[second]).to.equal(parent);
      expect(s.g.status[second]).to.equal(Grunnable);
      expect(s.nmspinning).to.equal(1); // wakep: an idle P and nobody spinning
      expect(s.pM[1]).to.be.at.least(0);
    },
  );

  const parks: { name: string; reason: number }[] = [
    {
      name: "proc.go gopark (time.Sleep): Gwaiting, waitReasonSleep; dropg clears the P's and M's G",
      reason: WAIT_SLEEP,
    },
    { name: 'proc.go gopark (chanrecv): Gwaiting, waitReasonChanReceive; dropg', reason: WAIT_CHAN_RECEIVE },
  ];
  for (const c of parks) {
    it(c.name, () => {
      const { s } = newSched(1);
      const m = mWithP(s, 0);
      const gp = newG(s, 0, -1, -1, 0);
      running(s, m, 0, gp);
      gopark(s, 0, gp, c.reason);
      expect(s.g.status[gp]).to.equal(Gwaiting);
      expect(s.g.waitReason[gp]).to.equal(c.reason);
      expect(s.g.m[gp]).to.equal(-1);
      expect(s.pCurG[0]).to.equal(-1);
      expect(s.mCurG[m]).to.equal(-1);
      expect(s.runningPs()).to.equal(0);
      expect(s.mP[m]).to.equal(0); // the M keeps its P: it goes on to schedule()
    });
  }

  it("proc.go goexit0: the G is dead and on its P's free list (gfput); its request completes", () => {
    const { s, completed } = newSched(1);
    const m = mWithP(s, 0);
    const gp = newG(s, 0, 5, -1, 0);
    running(s, m, 0, gp);
    goexit(s, 0, gp);
    expect(s.g.status[gp]).to.equal(Gdead);
    expect(completed).to.deep.equal([5]);
    expect(s.liveGs()).to.equal(0);
    expect(newG(s, 0, -1, -1, 0)).to.equal(gp); // gfget reuses it
  });

  type Parent = 'waits-for-children' | 'parked-elsewhere';
  const exits: { name: string; parent: Parent; childrenExit: number; wantReady: boolean }[] = [
    {
      name: 'goexit: the last child readies a parent parked in its wait for the children (into runnext)',
      parent: 'waits-for-children',
      childrenExit: 2,
      wantReady: true,
    },
    {
      name: 'goexit: a child that is not the last leaves the waiting parent parked',
      parent: 'waits-for-children',
      childrenExit: 1,
      wantReady: false,
    },
    {
      name: 'goexit: a parent parked on something else (a channel after a spawn without wait) is not woken',
      parent: 'parked-elsewhere',
      childrenExit: 2,
      wantReady: false,
    },
  ];
  for (const c of exits) {
    it(c.name, () => {
      const { s } = newSched(1, SPAWN_WAIT);
      const m = mWithP(s, 0);
      const parent = newG(s, 0, -1, -1, 0);
      running(s, m, 0, parent);
      newproc(s, 0, parent, 1, 11);
      newproc(s, 0, parent, 1, 12);
      const kids = [s.rq.runqget(0), s.rq.runqget(0)];
      // The parent parks after its Spawn op (+1) or after its WaitChildren op (+2).
      s.g.pc[parent] = s.progs.start[0]! + (c.parent === 'waits-for-children' ? 2 : 1);
      gopark(s, 0, parent, WAIT_CHAN_RECEIVE);
      for (let k = 0; k < c.childrenExit; k++) {
        running(s, m, 0, kids[k]!);
        goexit(s, 0, kids[k]!);
      }
      expect(s.g.status[parent]).to.equal(c.wantReady ? Grunnable : Gwaiting);
      expect(s.rq.runnext[0]).to.equal(c.wantReady ? parent : -1);
      expect(s.g.children[parent]).to.equal(2 - c.childrenExit);
    });
  }

  it(
    'goexit: a child that outlives its parent (spawned without wait) leaves alone the G that took the ' +
      "parent's recycled slot (fast-check's counterexample, seed 1731204458: that G waited for ever)",
    () => {
      const { s } = newSched(1, SPAWN_WAIT);
      const m = mWithP(s, 0);
      const old = newG(s, 0, -1, -1, 0);
      running(s, m, 0, old);
      newproc(s, 0, old, 1, 11);
      const orphan = s.rq.runqget(0);
      goexit(s, 0, old); // the parent ends first; gfput frees its slot
      const parent = newG(s, 0, -1, -1, 0);
      expect(parent).to.equal(old); // gfget: the same slot, another G
      running(s, m, 0, parent);
      newproc(s, 0, parent, 1, 12);
      const own = s.rq.runqget(0);
      s.g.pc[parent] = s.progs.start[0]! + 2; // parked in its wait for the children
      gopark(s, 0, parent, WAIT_CHAN_RECEIVE);
      running(s, m, 0, orphan);
      goexit(s, 0, orphan);
      expect(s.g.children[parent], "the orphan's exit is not the new G's child's").to.equal(1);
      expect(s.g.status[parent]).to.equal(Gwaiting);
      running(s, m, 0, own);
      goexit(s, 0, own);
      expect(s.g.status[parent]).to.equal(Grunnable);
      expect(s.rq.runnext[0]).to.equal(parent);
    },
  );

  it('proc.go goschedImpl (Gosched, preemption): the G goes runnable to the global queue, not runnext', () => {
    const { s } = newSched(1);
    const m = mWithP(s, 0);
    const gp = newG(s, 0, -1, -1, 0);
    running(s, m, 0, gp);
    goschedImpl(s, 0, gp, 'gosched');
    expect(s.g.status[gp]).to.equal(Grunnable);
    expect(s.rq.runqsize).to.equal(1);
    expect(s.rq.runnext[0]).to.equal(-1);
    expect(s.pCurG[0]).to.equal(-1);
  });
});
