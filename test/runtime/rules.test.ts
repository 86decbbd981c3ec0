import { expect } from 'chai';
import { Simulation } from '../../src/engine/simulation.js';
import { SampleLog } from '../../src/metrics/sample-log.js';
import { CHAN_BLOCK, Chans } from '../../src/runtime/gmp/chan.js';
import { newG } from '../../src/runtime/gmp/goroutines.js';
import { GTable } from '../../src/runtime/gmp/gtable.js';
import type { Sched } from '../../src/runtime/gmp/sched.js';
import { STACK_MIN, Stacks } from '../../src/runtime/gmp/stack.js';
import {
  Gdead,
  Grunnable,
  Grunning,
  Gsyscall,
  Gwaiting,
  Mparked,
  Mrunning,
  Mwaking,
  Pidle,
  Prunning,
} from '../../src/runtime/gmp/states.js';
import { Timers } from '../../src/runtime/gmp/timers.js';
import { mWithP, newSched } from '../support/direct-sched.js';

/**
 * The scheduler's rules where they live, constructed directly (no scenario), one named case per rule of
 * the Go 1.19 source: proc.go (findRunnable, handoffp, exitsyscall), chan.go, time.go, stack.go.
 */

const KiB = 1024;

describe('proc.go rules on a directly built Sched (Go 1.19)', () => {
  describe('findRunnable: the order it looks in', () => {
    const cases: { name: string; schedtick: number; global: boolean; local: boolean; want: 'global' | 'local' }[] = [
      {
        name: 'proc.go findRunnable: local runq before the global queue',
        schedtick: 1,
        global: true,
        local: true,
        want: 'local',
      },
      {
        name: 'proc.go findRunnable: every 61st schedtick one G from the global queue first (fairness)',
        schedtick: 61,
        global: true,
        local: true,
        want: 'global',
      },
      {
        name: 'proc.go findRunnable: global queue (globrunqget) when the local runq is empty',
        schedtick: 1,
        global: true,
        local: false,
        want: 'global',
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const { s } = newSched(2);
        const m = mWithP(s, 0);
        const gGlobal = newG(s, 0, -1, -1, -1);
        const gLocal = newG(s, 0, -1, -1, 0);
        if (c.global) s.rq.globrunqput(gGlobal);
        if (c.local) s.rq.runqput(0, gLocal, false);
        s.schedtick[0] = c.schedtick;
        expect(s.findRunnable(m)).to.equal(c.want === 'global' ? gGlobal : gLocal);
      });
    }

    it(
      'proc.go findRunnable: checkTimers first — a due timer readies its G into runnext, which runs before the ' +
        'runq',
      () => {
        const { s, sim } = newSched(1);
        const m = mWithP(s, 0);
        const sleeper = newG(s, 0, -1, -1, 0);
        const queued = newG(s, 0, -1, -1, 0);
        s.rq.runqput(0, queued, false);
        s.g.status[sleeper] = Gwaiting;
        s.timers.addtimer(0, sleeper, 0);
        expect(s.timers.fireDue(sim.now)).to.equal(0);
        expect(s.findRunnable(m)).to.equal(sleeper);
        expect(s.rq.inheritTime).to.equal(true); // runnext inherits the time slice
      },
    );

    it('proc.go findRunnable: netpoll(0) when both queues are empty — one ready G runs, the rest are injected', () => {
      const { s } = newSched(1);
      s.netpoll.unblock(); // m0 is not blocked in netpoll: this M polls without blocking
      const m = mWithP(s, 0);
      const a = newG(s, 0, -1, -1, -1),
        b = newG(s, 0, -1, -1, -1);
      s.g.status[a] = s.g.status[b] = Gwaiting;
      s.netpoll.ready(a);
      s.netpoll.ready(b);
      expect(s.findRunnable(m)).to.equal(a);
      expect(s.rq.runqlen(0) + s.rq.runqsize).to.equal(1); // b injected (injectglist)
    });

    it("proc.go findRunnable → stealWork: a spinning M takes half of a running P's runq", () => {
      const { s } = newSched(2);
      const m0 = mWithP(s, 0);
      mWithP(s, 1);
      const gs = [0, 1, 2, 3].map(() => newG(s, 0, -1, -1, 1));
      for (const gp of gs) s.rq.runqput(1, gp, false);
      s.mSpinning[m0] = 1;
      s.nmspinning = 1;
      const got = s.findRunnable(m0);
      expect(gs).to.include(got);
      expect(s.stats.steals).to.equal(1);
      expect(s.rq.runqlen(1)).to.equal(2); // runqgrab takes n - n/2 = 2
    });

    it('proc.go findRunnable: nothing anywhere — the P goes idle and the M blocks in netpoll or stops', () => {
      const { s } = newSched(2);
      const m = mWithP(s, 0);
      const idleBefore = s.npidle;
      expect(s.findRunnable(m)).to.equal(-1);
      expect(s.npidle).to.equal(idleBefore + 1);
      expect(s.pStatus[0]).to.equal(Pidle);
      expect(s.mStatus[m]).to.equal(Mparked); // m0 already blocks in netpoll: this one stopm's
    });
  });

  describe('handoffp: when a P taken from a syscall gets an M', () => {
    type Setup = (s: Sched) => void;
    type Want = 'startm' | 'startm-spinning' | 'idle';
    const cases: { name: string; nP: number; busyPs: number; setup: Setup; want: Want }[] = [
      {
        name: 'proc.go handoffp: local work → startm',
        nP: 2,
        busyPs: 1,
        setup: (s) => s.rq.runqput(0, newG(s, 0, -1, -1, 0), false),
        want: 'startm',
      },
      {
        name: 'proc.go handoffp: global work (sched.runqsize != 0) → startm',
        nP: 2,
        busyPs: 1,
        setup: (s) => s.rq.globrunqput(newG(s, 0, -1, -1, -1)),
        want: 'startm',
      },
      {
        name: 'proc.go handoffp: no work, nobody spinning or idle (nmspinning+npidle == 0) → startm spinning',
        nP: 2,
        busyPs: 2,
        setup: () => {},
        want: 'startm-spinning',
      },
      {
        name: 'proc.go handoffp: the last running P with nobody polling the network → startm',
        nP: 2,
        busyPs: 1,
        setup: (s) => s.netpoll.unblock(),
        want: 'startm',
      },
      {
        name: 'proc.go handoffp: otherwise the P goes idle (pidleput)',
        nP: 3,
        busyPs: 1,
        setup: () => {},
        want: 'idle',
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const { s } = newSched(c.nP);
        for (let p = 0; p < c.busyPs; p++) mWithP(s, p);
        // P0 was in a syscall and sysmon retook it: no M holds it.
        const m0 = s.pM[0]!;
        s.mP[m0] = -1;
        s.pM[0] = -1;
        c.setup(s);
        s.handoffp(0);
        if (c.want === 'idle') {
          expect(s.pStatus[0]).to.equal(Pidle);
        } else {
          const m = s.pM[0]!;
          expect(m).to.be.at.least(0);
          expect(s.mStatus[m]).to.equal(Mwaking);
          expect(s.mSpinning[m]).to.equal(c.want === 'startm-spinning' ? 1 : 0);
        }
        expect(s.stats.handoffs).to.equal(1);
      });
    }
  });

  describe('exitsyscall: fast and slow paths', () => {
    const cases: { name: string; retaken: boolean; idleP: boolean; want: 'oldp' | 'idlep' | 'global' }[] = [
      {
        name: 'proc.go exitsyscallfast: the old P is still in _Psyscall → reacquire it',
        retaken: false,
        idleP: false,
        want: 'oldp',
      },
      {
        name: 'proc.go exitsyscallfast_pidle: the old P was retaken, an idle P exists → take it',
        retaken: true,
        idleP: true,
        want: 'idlep',
      },
      {
        name: 'proc.go exitsyscall0: no P → the G goes to the global queue and the M stops',
        retaken: true,
        idleP: false,
        want: 'global',
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const { s } = newSched(2);
        const m = mWithP(s, 0);
        if (!c.idleP) mWithP(s, 1);
        const gp = newG(s, 0, -1, -1, 0);
        s.g.status[gp] = Grunning;
        s.pCurG[0] = gp;
        s.mCurG[m] = gp;
        s.entersyscall(0, gp, 1e6);
        expect(s.g.status[gp]).to.equal(Gsyscall);
        // sysmon retake: with P1 busy, handoffp gives P0 to a spinning M; with P1 idle, P0 goes idle too.
        if (c.retaken) s.retakeSyscall(0);
        expect(s.npidle > 0).to.equal(c.idleP);
        s.exitsyscall(gp);
        if (c.want === 'global') {
          expect(s.g.status[gp]).to.equal(Grunnable);
          expect(s.rq.runqsize).to.equal(1);
          expect(s.mStatus[m]).to.equal(Mparked);
        } else {
          expect(s.g.status[gp]).to.equal(Grunning);
          expect(s.mStatus[m]).to.equal(Mrunning);
          if (c.want === 'oldp') expect(s.mP[m]).to.equal(0);
          expect(s.pCurG[s.mP[m]!]).to.equal(gp);
          expect(s.syscalltick[s.mP[m]!]).to.be.greaterThan(0);
          expect(s.pStatus[s.mP[m]!]).to.equal(Prunning);
        }
      });
    }
  });
});

describe('chan.go rules (Chans)', () => {
  const g = new GTable(64);
  const cases: { name: string; cap: number; run: (c: Chans) => unknown; want: unknown }[] = [
    { name: 'chan.go chansend: unbuffered, no receiver → block', cap: 0, run: (c) => c.chansend(0), want: CHAN_BLOCK },
    {
      name: 'chan.go chansend: a parked receiver → handed the value directly (send → goready)',
      cap: 0,
      run: (c) => {
        c.parkRecv(0, 7);
        return c.chansend(0);
      },
      want: 7,
    },
    {
      name: 'chan.go chansend: buffered with room → into the buffer, nobody readied',
      cap: 1,
      run: (c) => [c.chansend(0), c.buffered(0)],
      want: [-1, 1],
    },
    {
      name: 'chan.go chansend: full buffer → block',
      cap: 1,
      run: (c) => {
        c.chansend(0);
        return c.chansend(0);
      },
      want: CHAN_BLOCK,
    },
    { name: 'chan.go chanrecv: empty, no sender → block', cap: 1, run: (c) => c.chanrecv(0), want: CHAN_BLOCK },
    {
      name: 'chan.go chanrecv: unbuffered with a parked sender → take its value, ready it',
      cap: 0,
      run: (c) => {
        c.parkSend(0, 9);
        return [c.chanrecv(0), c.buffered(0)];
      },
      want: [9, 0],
    },
    {
      name:
        "chan.go chanrecv (recv): full buffer and a parked sender → take the head, the sender's value fills " +
        'the slot',
      cap: 1,
      run: (c) => {
        c.chansend(0);
        c.parkSend(0, 5);
        return [c.chanrecv(0), c.buffered(0)];
      },
      want: [5, 1],
    },
  ];
  for (const c of cases) it(c.name, () => expect(c.run(new Chans([c.cap], g))).to.deep.equal(c.want));
});

describe('time.go rules (Timers)', () => {
  function timers(nP = 2) {
    const sim = new Simulation();
    const kind = sim.registerKind('test.timer', () => {});
    return { sim, t: new Timers(sim, nP, kind, new SampleLog()) };
  }

  it('time.go runtimer: due timers fire in deadline order, ties in insertion order, each onto its own P', () => {
    const { t } = timers();
    t.addtimer(1, 30, 200);
    t.addtimer(0, 10, 100);
    t.addtimer(0, 11, 100);
    expect([t.fireDue(150), t.fireDue(150), t.fireDue(150)]).to.deep.equal([0, 0, -1]);
    expect(t.dueCount[0]).to.equal(2);
    expect(t.nextPending()).to.equal(200);
    const n = t.takeDue(0, 150);
    expect(Array.from(t.dueGs(0).subarray(0, n))).to.deep.equal([10, 11]);
    expect(t.dueCount[0]).to.equal(0);
  });

  it('time.go timeSleepUntil: the earliest due-but-unrun timer counts from when it became due', () => {
    const { t } = timers();
    expect(t.overdueSince()).to.equal(Infinity);
    t.addtimer(1, 5, 40);
    t.fireDue(50);
    expect(t.overdueSince()).to.equal(50);
    t.takeDue(1, 60);
    expect(t.overdueSince()).to.equal(Infinity);
  });

  it('proc.go checkTimers records how late each timer ran (due → run)', () => {
    const sim = new Simulation();
    const log = new SampleLog();
    const t = new Timers(
      sim,
      1,
      sim.registerKind('test.timer', () => {}),
      log,
    );
    t.addtimer(0, 1, 0);
    t.fireDue(1e6);
    t.takeDue(0, 3e6);
    expect(log.max()).to.equal(2);
  });
});

describe('stack.go rules (Stacks)', () => {
  const cases: { name: string; start: number; need: number; copied: number; growths: number; size: number }[] = [
    {
      name: 'stack.go newstack: a frame that fits does not grow the stack',
      start: 2 * KiB,
      need: 1 * KiB,
      copied: 0,
      growths: 0,
      size: 2 * KiB,
    },
    {
      name: 'stack.go newstack/copystack: one overflow doubles 2 → 4 KiB, copying the full 2 KiB',
      start: 2 * KiB,
      need: 3 * KiB,
      copied: 2 * KiB,
      growths: 1,
      size: 4 * KiB,
    },
    {
      name: 'stack.go newstack: a 64 KiB chain doubles five times (one newstack each), copying 2+4+8+16+32 KiB',
      start: 2 * KiB,
      need: 64 * KiB,
      copied: 62 * KiB,
      growths: 5,
      size: 64 * KiB,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const st = new Stacks(4);
      expect(st.morestack(0, c.need)).to.equal(c.copied);
      expect(st.stats.growths).to.equal(c.growths);
      expect(st.size[0]).to.equal(c.size);
      expect(st.extra).to.equal(c.size - STACK_MIN);
    });
  }

  const shrinkCases: { name: string; size: number; deep: boolean; status: number; want: number }[] = [
    {
      name: 'stack.go shrinkstack: a shallow G (≈1 KiB used) on a 16 KiB stack is halved',
      size: 16 * KiB,
      deep: false,
      status: Gwaiting,
      want: 8 * KiB,
    },
    {
      name: 'stack.go shrinkstack: not while the G is deep in its call chain',
      size: 16 * KiB,
      deep: true,
      status: Gwaiting,
      want: 16 * KiB,
    },
    {
      name: 'stack.go shrinkstack: not while the G is in a syscall',
      size: 16 * KiB,
      deep: false,
      status: Gsyscall,
      want: 16 * KiB,
    },
    {
      name: 'stack.go shrinkstack: not below a quarter used (4 KiB with 1 KiB used)',
      size: 4 * KiB,
      deep: false,
      status: Gwaiting,
      want: 4 * KiB,
    },
    {
      name: 'stack.go shrinkstack: never below the 2 KiB minimum',
      size: 2 * KiB,
      deep: false,
      status: Gwaiting,
      want: 2 * KiB,
    },
    {
      name: "proc.go gfput frees a dead G's grown stack, not shrinkstack",
      size: 16 * KiB,
      deep: false,
      status: Gdead,
      want: 16 * KiB,
    },
  ];
  for (const c of shrinkCases) {
    it(c.name, () => {
      const g = new GTable(4);
      const gp = g.add();
      g.status[gp] = c.status;
      const st = new Stacks(4);
      st.morestack(gp, c.size);
      if (!c.deep) st.pop(gp);
      st.shrinkStacks(g, 0);
      expect(st.size[gp]).to.equal(c.want);
      expect(st.extra).to.equal(c.want - STACK_MIN);
    });
  }

  it('proc.go gfput: a dead G is reused with a fresh 2 KiB stack', () => {
    const st = new Stacks(4);
    st.morestack(0, 32 * KiB);
    st.gfree(0);
    expect([st.size[0], st.extra, st.deep[0]]).to.deep.equal([STACK_MIN, 0, 0]);
  });
});

describe("proc.go runqgrab: a running victim's runnext, after usleep(3)", () => {
  const cases: { name: string; victimRanIt: boolean; wantStolen: boolean }[] = [
    {
      name: 'proc.go runqgrab: the victim still holds the same runnext G after usleep(3) → the thief takes it (CAS)',
      victimRanIt: false,
      wantStolen: true,
    },
    {
      name: 'proc.go runqgrab: the victim ran its runnext meanwhile → nothing stolen; the thief looks again',
      victimRanIt: true,
      wantStolen: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { s, sim } = newSched(2);
      const thief = mWithP(s, 0);
      mWithP(s, 1);
      const gp = newG(s, 0, -1, -1, 1);
      s.rq.runqput(1, gp, true); // P1 runs something, its runq is empty, gp sits in its runnext
      s.mSpinning[thief] = 1;
      s.nmspinning = 1;
      // Rounds 1-3 never take runnext; round 4 finds it on a running P and sleeps (the M keeps its P).
      expect(s.findRunnable(thief)).to.equal(-1);
      expect(s.mP[thief]).to.equal(0);
      expect(s.rq.runnext[1]).to.equal(gp);
      if (c.victimRanIt) s.rq.runnext[1] = -1;
      sim.runUntil(3000); // runnextStealWaitNs
      expect(s.stats.steals).to.equal(c.wantStolen ? 1 : 0);
      expect(s.pCurG[0]).to.equal(c.wantStolen ? gp : -1);
      if (c.wantStolen) {
        expect(s.rq.runnext[1]).to.equal(-1);
        expect(s.mSpinning[thief]).to.equal(0); // resetspinning
      } else {
        expect(s.pStatus[0]).to.equal(Pidle); // found nothing else: P0 idles
      }
    });
  }
});
