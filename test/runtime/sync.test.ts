import { expect } from 'chai';
import { CHAN_BLOCK, Chans } from '../../src/runtime/gmp/chan.js';
import { GTable } from '../../src/runtime/gmp/gtable.js';
import { RWMutexes } from '../../src/runtime/gmp/rwmutex.js';
import { GoFatalError } from '../../src/runtime/gmp/sched-config.js';
import { SelectTimers } from '../../src/runtime/gmp/select.js';
import { WAIT_SELECT, WAIT_SLEEP } from '../../src/runtime/gmp/states.js';
import { STARVATION_THRESHOLD_NS, SyncMutexes } from '../../src/runtime/gmp/sync-mutex.js';

const MS = 1e6;

describe('sema.go / mutex.go rules (SyncMutexes)', () => {
  const g = new GTable(64);
  const cases: { name: string; mode: 'fifo' | 'go'; run: (m: SyncMutexes) => unknown; want: unknown }[] = [
    {
      name: 'sema.go: Lock on a free mutex takes it',
      mode: 'fifo',
      run: (m) => [m.tryLock(0, 1, 0), m.ownerOf(0)],
      want: [true, 1],
    },
    {
      name: 'sema.go: Lock on a held mutex must park',
      mode: 'fifo',
      run: (m) => {
        m.tryLock(0, 1, 0);
        return m.tryLock(0, 2, 0);
      },
      want: false,
    },
    {
      name: 'fifo: Unlock hands the mutex to the first waiter, who then holds it when it runs Lock again',
      mode: 'fifo',
      run: (m) => {
        m.tryLock(0, 1, 0);
        m.park(0, 2, 0);
        m.park(0, 3, 0);
        return [m.unlock(0), m.ownerOf(0), m.tryLock(0, 2, 5), m.unlock(0), m.unlock(0)];
      },
      want: [2, 2, true, 3, -1],
    },
    {
      name: 'mutex.go normal mode: Unlock wakes the head but frees the mutex; a new arrival barges in',
      mode: 'go',
      run: (m) => {
        m.tryLock(0, 1, 0);
        m.park(0, 2, 0);
        const w = m.unlock(0);
        return [w, m.ownerOf(0), m.handoff, m.tryLock(0, 3, 10), m.tryLock(0, 2, 10)];
      },
      want: [2, -1, false, true, false],
    },
    {
      name: 'mutex.go: a woken waiter that loses queues again at the head (semacquire lifo)',
      mode: 'go',
      run: (m) => {
        m.tryLock(0, 1, 0);
        m.park(0, 2, 0);
        m.park(0, 4, 0);
        m.unlock(0); // wakes 2
        m.tryLock(0, 3, 10); // 3 barges in
        m.tryLock(0, 2, 10);
        m.park(0, 2, 10);
        return [m.unlock(0), m.unlock(0)]; // 2 first again; the second Unlock wakes nobody (mutexWoken)
      },
      want: [2, -1],
    },
    {
      name: 'mutex.go: a waiter that waited over 1 ms sets starvation mode; Unlock then hands off and yields',
      mode: 'go',
      run: (m) => {
        m.tryLock(0, 1, 0);
        m.park(0, 2, 0);
        m.park(0, 4, 0);
        m.unlock(0);
        m.tryLock(0, 3, 0); // barges in
        const t = STARVATION_THRESHOLD_NS + 1;
        m.tryLock(0, 2, t); // lost after > 1 ms: starving
        m.park(0, 2, t);
        const starving = m.isStarving(0);
        const w = m.unlock(0);
        return [starving, w, m.ownerOf(0), m.handoff, m.tryLock(0, 5, t)];
      },
      want: [true, 2, 2, true, false],
    },
    {
      name: 'mutex.go: starvation ends when the waiter handed the mutex waited under 1 ms or was the last',
      mode: 'go',
      run: (m) => {
        m.tryLock(0, 1, 0);
        m.park(0, 2, 0);
        m.unlock(0);
        m.tryLock(0, 3, 0);
        m.tryLock(0, 2, 2 * MS);
        m.park(0, 2, 2 * MS);
        const before = m.isStarving(0);
        m.unlock(0); // hand-off to 2, the last waiter
        return [before, m.tryLock(0, 2, 3 * MS), m.isStarving(0)];
      },
      want: [true, true, false],
    },
  ];
  for (const c of cases) it(c.name, () => expect(c.run(new SyncMutexes(1, g, c.mode))).to.deep.equal(c.want));
});

describe('rwmutex.go rules (RWMutexes)', () => {
  const g = new GTable(64);
  const woken = (rw: RWMutexes, n: number) => Array.from(rw.woken.subarray(0, n));
  const cases: { name: string; run: (rw: RWMutexes) => unknown; want: unknown }[] = [
    {
      name: 'RLock: readers share it',
      run: (rw) => [rw.rlock(0, 1), rw.rlock(0, 2), rw.readersHolding(0)],
      want: [true, true, 2],
    },
    {
      name: 'Lock with readers inside: the writer waits for them (readerWait), the last RUnlock readies it',
      run: (rw) => {
        rw.rlock(0, 1);
        rw.rlock(0, 2);
        return [rw.lock(0, 9), rw.runlock(0), rw.runlock(0), rw.writerHolding(0)];
      },
      want: [false, -1, 9, true],
    },
    {
      name: 'writer preference: a reader arriving behind a waiting writer queues (readerCount < 0)',
      run: (rw) => {
        rw.rlock(0, 1);
        rw.lock(0, 9);
        return [rw.rlock(0, 2), rw.readersHolding(0)];
      },
      want: [false, 1],
    },
    {
      name: 'Unlock releases every queued reader at once, then w goes to the next writer, who waits for them',
      run: (rw) => {
        rw.lock(0, 9);
        rw.rlock(0, 1);
        rw.rlock(0, 2);
        rw.lock(0, 8);
        const n = rw.unlock(0);
        return [woken(rw, n), rw.readersHolding(0), rw.runlock(0), rw.runlock(0)];
      },
      want: [[1, 2], 2, -1, 8],
    },
    {
      name: 'Lock on a free RWMutex takes it; RLock then waits',
      run: (rw) => [rw.lock(0, 9), rw.rlock(0, 1), woken(rw, rw.unlock(0))],
      want: [true, false, [1]],
    },
  ];
  for (const c of cases) it(c.name, () => expect(c.run(new RWMutexes(1, g))).to.deep.equal(c.want));
});

describe('chan.go closechan rules (Chans)', () => {
  const g = new GTable(64);
  const cases: { name: string; cap: number; run: (c: Chans) => unknown; want: unknown }[] = [
    {
      name: 'closechan releases every parked receiver in queue order',
      cap: 0,
      run: (c) => {
        c.parkRecv(0, 3);
        c.parkRecv(0, 5);
        const n = c.closechan(0);
        return Array.from(c.woken.subarray(0, n));
      },
      want: [3, 5],
    },
    {
      name: 'chanrecv on a closed channel: buffered values first, then the zero value at once',
      cap: 2,
      run: (c) => {
        c.chansend(0);
        c.closechan(0);
        return [c.chanrecv(0), c.buffered(0), c.chanrecv(0), c.chanrecv(0)];
      },
      want: [-1, 0, -1, -1],
    },
    {
      name: 'an open, empty channel still blocks',
      cap: 0,
      run: (c) => c.chanrecv(0),
      want: CHAN_BLOCK,
    },
    {
      name: 'dequeueSudoG: a select waiter leaves the queue; the others keep their order',
      cap: 0,
      run: (c) => {
        c.parkRecv(0, 3);
        c.parkRecv(0, 4);
        c.parkRecv(0, 5);
        return [c.unpark(0, false, 4), c.unpark(0, false, 4), c.chansend(0), c.chansend(0), c.chansend(0)];
      },
      want: [true, false, 3, 5, CHAN_BLOCK],
    },
  ];
  for (const c of cases) it(c.name, () => expect(c.run(new Chans([c.cap], g, ['c']))).to.deep.equal(c.want));

  const panics: [string, (c: Chans) => void, string][] = [
    ['close of closed channel', (c) => [c.closechan(0), c.closechan(0)], 'panic: close of closed channel'],
    ['send on closed channel', (c) => [c.closechan(0), c.chansend(0)], 'panic: send on closed channel'],
    ['a parked sender when the channel closes', (c) => [c.parkSend(0, 3), c.closechan(0)], 'send on closed'],
  ];
  for (const [name, run, msg] of panics)
    it(`panics (GoFatalError, the pod dies): ${name}`, () => {
      const c = new Chans([0], g, ['c']);
      expect(() => run(c))
        .to.throw(GoFatalError, msg)
        .and.satisfy((e: Error) => e.message.includes('"c"'));
    });
});

describe('select.go timer case (SelectTimers)', () => {
  it('a fired timer times out its G while it still waits in that select', () => {
    const t = new SelectTimers();
    const wait = new Uint8Array(8).fill(WAIT_SELECT);
    const slot = t.arm(3, 1, true, 42);
    expect(t.fired(slot, wait)).to.equal(3);
    expect([t.firedChan, t.firedSend, t.firedPc]).to.deep.equal([1, true, 42]);
  });
  it('stale: the channel won and the G waits elsewhere now, or in a newer select', () => {
    const t = new SelectTimers();
    const wait = new Uint8Array(8).fill(WAIT_SELECT);
    const old = t.arm(3, 0, false, 10);
    const now = t.arm(3, 0, false, 20); // woken by the channel, then a new select
    expect(t.fired(old, wait)).to.equal(-1);
    wait[3] = WAIT_SLEEP;
    expect(t.fired(now, wait)).to.equal(-1);
  });
});
