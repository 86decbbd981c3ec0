import { expect } from 'chai';
import fc from 'fast-check';
import { EventQueue } from '../../src/engine/event-queue.js';
import type { EventSet, EventSetKind } from '../../src/engine/event-set.js';
import { LadderQueue } from '../../src/engine/ladder-queue.js';
import { Simulation } from '../../src/engine/simulation.js';

/** Drain a queue, returning [time, target] pairs in dispatch order. */
function drain(q: EventSet): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (q.take()) {
    out.push([q.takenTime, q.takenTarget]);
    q.finishTake();
  }
  return out;
}

const implementations: Array<[EventSetKind, (capacity: number) => EventSet]> = [
  ['heap', (c) => new EventQueue(c)],
  ['ladder', (c) => new LadderQueue(c)],
];

for (const [kind, make] of implementations)
  describe(`engine/EventSet (${kind})`, () => {
    it('pops in time order', () => {
      const q = make(4);
      for (const t of [50, 10, 40, 20, 30]) q.push(t, 0, t, 0);
      expect(drain(q).map((e) => e[0])).to.deep.equal([10, 20, 30, 40, 50]);
    });

    it('breaks ties by insertion order (FIFO among equal times)', () => {
      const q = make(4);
      for (let i = 0; i < 100; i++) q.push(i % 3, 0, i, 0);
      const order = drain(q);
      const byTime = [0, 1, 2].map((t) => order.filter((e) => e[0] === t).map((e) => e[1]));
      for (const targets of byTime) expect(targets).to.deep.equal([...targets].sort((a, b) => a - b));
    });

    it('cancels pending events and ignores stale handles', () => {
      const q = make(4);
      const a = q.push(1, 0, 1, 0);
      const b = q.push(2, 0, 2, 0);
      expect(q.cancel(a)).to.equal(true);
      expect(q.cancel(a)).to.equal(false); // already cancelled
      expect(q.size).to.equal(1);
      expect(drain(q)).to.deep.equal([[2, 2]]);
      expect(q.cancel(b)).to.equal(false); // already fired
      const c = q.push(3, 0, 3, 0); // reuses a freed slot with a new generation
      expect(q.cancel(b)).to.equal(false);
      expect(q.isPending(c)).to.equal(true);
    });

    it('take(limit) leaves an event later than the limit in place', () => {
      const q = make(4);
      q.push(10, 0, 1, 0);
      q.push(20, 0, 2, 0);
      expect(q.take(5)).to.equal(false);
      expect(q.size).to.equal(2);
      expect(q.take(10)).to.equal(true);
      expect(q.takenTarget).to.equal(1);
      q.finishTake();
      expect(q.take(19)).to.equal(false);
      expect(drain(q)).to.deep.equal([[20, 2]]);
    });

    it('compacts when cancelled entries dominate, keeping order', () => {
      const q = make(16);
      const handles: number[] = [];
      for (let i = 0; i < 10_000; i++) handles.push(q.push(10_000 - i, 0, i, 0));
      for (let i = 0; i < 10_000; i++) if (i % 10 !== 0) q.cancel(handles[i]!);
      expect(q.size).to.equal(1000);
      const times = drain(q).map((e) => e[0]);
      expect(times).to.have.length(1000);
      expect(times).to.deep.equal([...times].sort((x, y) => x - y));
    });

    it('matches a sorted reference under random pushes, cancels and takes (fast-check)', () => {
      type Op = { op: 'push'; t: number } | { op: 'cancel'; k: number } | { op: 'take'; push: number | null };
      const opArb: fc.Arbitrary<Op> = fc.oneof(
        fc.record({ op: fc.constant('push' as const), t: fc.integer({ min: 0, max: 50 }) }),
        fc.record({ op: fc.constant('cancel' as const), k: fc.nat(200) }),
        fc.record({ op: fc.constant('take' as const), push: fc.option(fc.integer({ min: 0, max: 20 })) }),
      );
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
          const q = make(4);
          // Reference: list of {time, seq, id, live}; min by (time, seq).
          const ref: Array<{ t: number; seq: number; id: number; h: number; live: boolean }> = [];
          let seq = 0;
          let now = 0;
          for (const o of ops) {
            if (o.op === 'push') {
              const t = now + o.t;
              ref.push({ t, seq: seq++, id: ref.length, h: q.push(t, 0, ref.length, 0), live: true });
            } else if (o.op === 'cancel') {
              const e = ref[o.k % Math.max(1, ref.length)];
              if (e) {
                expect(q.cancel(e.h)).to.equal(e.live);
                e.live = false;
              }
            } else {
              const live = ref.filter((e) => e.live).sort((x, y) => x.t - y.t || x.seq - y.seq);
              const got = q.take();
              expect(got).to.equal(live.length > 0);
              if (!got) continue;
              expect([q.takenTime, q.takenTarget]).to.deep.equal([live[0]!.t, live[0]!.id]);
              live[0]!.live = false;
              now = q.takenTime;
              if (o.push !== null) {
                // A push while the root is taken exercises the replace-root path.
                const t = now + o.push;
                ref.push({ t, seq: seq++, id: ref.length, h: q.push(t, 0, ref.length, 0), live: true });
              }
              q.finishTake();
            }
            expect(q.size).to.equal(ref.filter((e) => e.live).length);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('addInOrder keeps (time, insertion) order with pushes, cancels and take(limit) (fast-check)', () => {
      // A pod's engine in a windowed run: a window's arrivals added in order (addInOrder), then events added
      // while they are taken; equal times are frequent, and an out-of-order addInOrder must still fit in.
      type Op =
        | { op: 'push'; t: number }
        | { op: 'lane'; t: number }
        | { op: 'cancel'; k: number }
        | { op: 'take'; limit: number | null; push: number | null };
      const opArb: fc.Arbitrary<Op> = fc.oneof(
        fc.record({ op: fc.constant('push' as const), t: fc.integer({ min: 0, max: 6 }) }),
        fc.record({ op: fc.constant('lane' as const), t: fc.integer({ min: 0, max: 6 }) }),
        fc.record({ op: fc.constant('cancel' as const), k: fc.nat(200) }),
        fc.record({
          op: fc.constant('take' as const),
          limit: fc.option(fc.integer({ min: 0, max: 4 })),
          push: fc.option(fc.integer({ min: 0, max: 3 })),
        }),
      );
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
          const q = make(4);
          const ref: Array<{ t: number; seq: number; id: number; h: number; live: boolean }> = [];
          let seq = 0;
          let now = 0;
          let laneT = 0; // lane adds mostly rise from the last one; t = 0 sometimes goes back (the fallback)
          for (const o of ops) {
            if (o.op === 'push') {
              const t = now + o.t;
              ref.push({ t, seq: seq++, id: ref.length, h: q.push(t, 0, ref.length, 0), live: true });
            } else if (o.op === 'lane') {
              laneT = o.t === 0 ? now : Math.max(now, laneT) + o.t - 1;
              q.nextTime = laneT;
              q.addInOrder(1, ref.length, 0);
              ref.push({ t: laneT, seq: seq++, id: ref.length, h: -1, live: true });
            } else if (o.op === 'cancel') {
              const e = ref[o.k % Math.max(1, ref.length)];
              if (e && e.h >= 0) {
                expect(q.cancel(e.h)).to.equal(e.live);
                e.live = false;
              }
            } else {
              const live = ref.filter((e) => e.live).sort((x, y) => x.t - y.t || x.seq - y.seq);
              const limit = o.limit === null ? Infinity : now + o.limit;
              const got = q.take(limit);
              expect(got).to.equal(live.length > 0 && live[0]!.t <= limit);
              if (!got) continue;
              expect([q.takenTime, q.takenTarget, q.takenKind]).to.deep.equal([
                live[0]!.t,
                live[0]!.id,
                live[0]!.h < 0 ? 1 : 0,
              ]);
              live[0]!.live = false;
              now = q.takenTime;
              if (o.push !== null) {
                const t = now + o.push;
                ref.push({ t, seq: seq++, id: ref.length, h: q.push(t, 0, ref.length, 0), live: true });
              }
              q.finishTake();
            }
            const pending = ref.filter((e) => e.live);
            expect(q.size).to.equal(pending.length);
            expect(q.peekTime()).to.equal(Math.min(Infinity, ...pending.map((e) => e.t)));
          }
        }),
        { numRuns: 300 },
      );
    });
  });

describe('engine/LadderQueue under stress', () => {
  /** Push (time, id) pairs and drain; the order must be the (time, seq) order. */
  function checkOrder(times: number[]): void {
    const q = new LadderQueue(16);
    for (const [i, t] of times.entries()) q.push(t, 0, i, 0);
    const got = drain(q);
    const want = times.map((t, i) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(got).to.deep.equal(want);
  }

  it('splits crowded buckets into finer rungs (many events in a narrow range)', () => {
    const times: number[] = [];
    for (let i = 0; i < 20_000; i++) times.push(1_000_000 + ((i * 7919) % 5000)); // dense, with ties
    for (let i = 0; i < 200; i++) times.push(1e12 + i * 1e9); // and a far tail
    checkOrder(times);
  });

  it('keeps insertion order for 10,000 events at one instant (buckets that cannot split)', () => {
    checkOrder(new Array(10_000).fill(42));
  });

  it('handles the rung limit with a pathological spread (powers of two)', () => {
    const times: number[] = [];
    for (let k = 0; k < 52; k++) for (let j = 0; j < 60; j++) times.push(2 ** k + j);
    checkOrder(times);
  });

  it('a crowded bucket met while bottom already holds events is served later, in order', () => {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) times.push(i * 1000); // sparse: fills bottom a little
    for (let i = 0; i < 300; i++) times.push(10_500 + (i % 7)); // then one crowded bucket, with ties
    for (let i = 0; i < 1000; i++) times.push(1e6 + i * 10);
    checkOrder(times);
  });

  it('interleaves pushes with takes like a simulation (hold model) and matches the heap', () => {
    const heap = new EventQueue(16);
    const ladder = new LadderQueue(16);
    let x = 12345;
    const rand = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rand() * 1e6);
      heap.push(t, 0, i, 0);
      ladder.push(t, 0, i, 0);
    }
    for (let i = 0; i < 200_000; i++) {
      expect(heap.take()).to.equal(true);
      expect(ladder.take()).to.equal(true);
      expect([ladder.takenTime, ladder.takenTarget]).to.deep.equal([heap.takenTime, heap.takenTarget]);
      // Increments from 0 (same-instant follow-ups) to far future, like real models.
      const r = rand();
      const inc = r < 0.1 ? 0 : r < 0.9 ? Math.floor(rand() * 2e5) : Math.floor(rand() * 1e9);
      heap.push(heap.takenTime + inc, 0, 5000 + i, 0);
      ladder.push(ladder.takenTime + inc, 0, 5000 + i, 0);
      heap.finishTake();
      ladder.finishTake();
    }
  });

  it('a spent ladder (one rung used up, bottom never empty, top waiting) matches the heap', () => {
    // As the cluster benchmark runs: the first spread reaches the run's last events, bottom takes them
    // all, and from then on ~30 events stay pending, so bottom never empties and the used-up rung stays
    // all run: an event before topStart goes to bottom (enqueue finds no rung for it), one past it to top.
    const heap = new EventQueue(16);
    const ladder = new LadderQueue(16);
    const state = ladder as unknown as { nRungs: number; rCur: Int32Array; rN: Int32Array; topCount: number };
    let x = 4242;
    const rand = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
    const end = 1e9;
    let id = 0;
    const push = (t: number) => {
      heap.push(t, 0, id, 0);
      ladder.push(t, 0, id++, 0);
    };
    const takeBoth = (): number => {
      expect(heap.take()).to.equal(true);
      expect(ladder.take()).to.equal(true);
      expect([ladder.takenTime, ladder.takenTarget]).to.deep.equal([heap.takenTime, heap.takenTarget]);
      heap.finishTake();
      ladder.finishTake();
      return heap.takenTime;
    };
    for (let i = 0; i < 35; i++) push(Math.floor(rand() * 100));
    for (let i = 0; i < 5; i++) push(end); // the run's final events
    for (let i = 0; i < 35; i++) takeBoth(); // the first spread's first bucket, served: bottom is empty
    // A few events a bucket or more later (into the rung): the next refill gathers them, finds fewer than a
    // batch, walks on to the last bucket and takes the final events too -- the rung is used up.
    for (let i = 0; i < 10; i++) push(2e7 + Math.floor(rand() * 1e5));
    let spentWithTop = 0;
    for (let i = 0; i < 200_000; i++) {
      const now = takeBoth();
      if (state.nRungs === 1 && state.rCur[0] === state.rN[0] && state.topCount > 0) spentWithTop++;
      // A follow-up (some at the same instant), and now and then an event past the end (into top).
      push(rand() < 0.1 ? now : Math.min(end - 1, now + Math.floor(rand() * 3e4)));
      if (rand() < 0.005) push(end + 1e8 + Math.floor(rand() * 1e6));
    }
    expect(spentWithTop).to.be.greaterThan(100_000);
  });

  it('moves between small mode and the ladder as the set grows and shrinks, matching the heap', () => {
    // The set swings from empty to a few hundred events and back, crossing the small-mode size many
    // times, with many equal times and some cancellations; the ladder must give the heap's order.
    const heap = new EventQueue(16);
    const ladder = new LadderQueue(16);
    let x = 777;
    const rand = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
    const handles: Array<[number, number]> = [];
    let now = 0;
    let id = 0;
    for (let round = 0; round < 300; round++) {
      const grow = 1 + Math.floor(rand() * (round % 3 === 0 ? 300 : 40));
      for (let k = 0; k < grow; k++) {
        const t = now + Math.floor(rand() * 8) * 1000; // few distinct times: many ties
        handles.push([heap.push(t, 0, id, 0), ladder.push(t, 0, id, 0)]);
        id++;
        if (rand() < 0.1) {
          const [h, l] = handles[Math.floor(rand() * handles.length)]!;
          expect(ladder.cancel(l)).to.equal(heap.cancel(h));
        }
      }
      const shrink = Math.floor(rand() * (heap.size + 1));
      for (let k = 0; k < shrink; k++) {
        expect(ladder.take()).to.equal(heap.take());
        expect([ladder.takenTime, ladder.takenTarget]).to.deep.equal([heap.takenTime, heap.takenTarget]);
        now = heap.takenTime;
        heap.finishTake();
        ladder.finishTake();
      }
      expect(ladder.size).to.equal(heap.size);
    }
    expect(drain(ladder)).to.deep.equal(drain(heap));
  });

  it("a pod's windows: a lane of hundreds of arrivals beside a ladder of timers, matching the heap", () => {
    // As PodEngines runs a pod: each window adds its arrivals in order (addInOrder; the lane grows past its
    // first buffer), then takes up to the window's end while handlers push events, some at an arrival's
    // very time and some beyond the window (left in the ladder for the next one, before its arrivals).
    const heap = new EventQueue(16);
    const ladder = new LadderQueue(16);
    let x = 4242;
    const rand = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
    let id = 0;
    for (let w = 0; w < 40; w++) {
      const start = w * 1000,
        end = start + 1000;
      let t = start;
      const n = Math.floor(rand() * (w % 4 === 0 ? 600 : 60));
      for (let k = 0; k < n; k++) {
        t += Math.floor(rand() * 4); // ties between arrivals too
        if (t >= end) break;
        for (const q of [heap, ladder]) {
          q.nextTime = t;
          q.addInOrder(1, id, 0);
        }
        id++;
      }
      for (;;) {
        const got = ladder.take(end - 1);
        expect(got).to.equal(heap.take(end - 1));
        if (!got) break;
        expect([ladder.takenTime, ladder.takenTarget]).to.deep.equal([heap.takenTime, heap.takenTarget]);
        const now = heap.takenTime;
        heap.finishTake();
        ladder.finishTake();
        if (rand() < 0.7) {
          const at = now + (rand() < 0.3 ? 0 : Math.floor(rand() * 1500));
          heap.push(at, 0, id, 0);
          ladder.push(at, 0, id, 0);
          id++;
        }
      }
      expect(ladder.size).to.equal(heap.size);
    }
    expect(drain(ladder)).to.deep.equal(drain(heap));
  });

  it('rebuilds when cancelled events dominate, dropping them and keeping order', () => {
    const q = new LadderQueue(16);
    const hs: number[] = [];
    for (let i = 0; i < 200_000; i++) hs.push(q.push(1e9 + i * 1000, 0, i, 0));
    for (let i = 0; i < 200_000; i++) if (i % 7 !== 0) q.cancel(hs[i]!);
    const got = drain(q);
    expect(got.length).to.equal(Math.ceil(200_000 / 7));
    expect(got.every((e, k) => e[1] === k * 7)).to.equal(true);
  });
});

describe('engine/Simulation', () => {
  it('dispatches handlers with target and arg, advancing the clock', () => {
    const sim = new Simulation();
    const seen: string[] = [];
    const k = sim.registerKind('k', (target, arg) => seen.push(`${sim.now}:${target}:${arg}`));
    sim.schedule(5, k, 1, 0.5);
    sim.scheduleAt(3, k, 2, 7);
    expect(sim.run()).to.equal(2);
    expect(seen).to.deep.equal(['3:2:7', '5:1:0.5']);
  });

  it('runUntil stops at the horizon, sets the clock to it, and resumes', () => {
    const sim = new Simulation();
    let fired = 0;
    const tick = sim.registerKind('tick', () => {
      fired++;
      sim.schedule(10, tick);
    });
    sim.schedule(0, tick);
    sim.runUntil(95);
    expect(fired).to.equal(10); // t = 0, 10, ..., 90
    expect(sim.now).to.equal(95);
    sim.runUntil(100);
    expect(fired).to.equal(11); // t = 100 is included
  });

  it('step processes one event at a time and stop() ends run()', () => {
    const sim = new Simulation();
    let n = 0;
    const k = sim.registerKind('k', () => {
      if (++n === 3) sim.stop();
      sim.schedule(1, k);
    });
    sim.schedule(0, k);
    expect(sim.step()).to.equal(true);
    expect(n).to.equal(1);
    sim.run();
    expect(n).to.equal(3);
    expect(sim.pending).to.equal(1);
  });

  it('rejects scheduling into the past', () => {
    const sim = new Simulation();
    const k = sim.registerKind('k', () => undefined);
    sim.schedule(10, k);
    sim.run();
    expect(() => sim.schedule(-1, k)).to.throw(RangeError);
    expect(() => sim.scheduleAt(5, k)).to.throw(RangeError);
  });

  it('cancelling an event prevents its dispatch', () => {
    const sim = new Simulation();
    let fired = false;
    const k = sim.registerKind('k', () => (fired = true));
    const h = sim.schedule(10, k);
    expect(sim.cancel(h)).to.equal(true);
    sim.run();
    expect(fired).to.equal(false);
  });

  it('post and postAt schedule as schedule and scheduleAt do, the handle in lastHandle', () => {
    // Two simulations, one through each API, driven alike: the same dispatches, and the handles cancel.
    const run = (viaPost: boolean): Array<[number, number]> => {
      const sim = new Simulation();
      const out: Array<[number, number]> = [];
      const k = sim.registerKind('k', (target) => out.push([sim.now, target]));
      const at = (t: number, target: number): number => {
        if (!viaPost) return sim.scheduleAt(t, k, target);
        sim.nextTime = t;
        sim.postAt(k, target);
        return sim.lastHandle;
      };
      const inDelay = (d: number, target: number): number => {
        if (!viaPost) return sim.schedule(d, k, target);
        sim.post(d, k, target);
        return sim.lastHandle;
      };
      // Reuse slots many times so that handles pass 2^31 (generation ≥ 32), as in a long run.
      for (let i = 0; i < 100; i++) {
        const h = at(sim.now + 3_000_000_000, 9);
        expect(sim.cancel(h)).to.equal(true);
        inDelay(0.4, i);
        sim.run();
      }
      const keep = at(sim.now + 5, 1);
      const drop = inDelay(5, 2);
      inDelay(5, 3);
      expect(keep).to.be.greaterThan(2 ** 31);
      expect(sim.cancel(drop)).to.equal(true);
      expect(sim.cancel(drop)).to.equal(false);
      expect(sim.isPending(keep)).to.equal(true);
      sim.run();
      return out;
    };
    const viaPost = run(true);
    expect(viaPost).to.deep.equal(run(false));
    expect(viaPost.slice(-2).map(([, target]) => target)).to.deep.equal([1, 3]);
    const sim = new Simulation();
    const k = sim.registerKind('k', () => undefined);
    expect(() => sim.post(-1, k)).to.throw(RangeError);
    sim.post(10, k);
    sim.run();
    sim.nextTime = 5;
    expect(() => sim.postAt(k)).to.throw(RangeError);
  });

  it('hot kinds (markHot) dispatch exactly as the others: same events, same order, same handlers (fast-check)', () => {
    // Six kinds, each handler logging and scheduling follow-ups from a script; marking any subset hot
    // (in any order, repeats and a fifth or sixth included, which are ignored) gives the same log.
    const run = (script: Array<[number, number, number]>, hot: number[], until: number): string[] => {
      const sim = new Simulation();
      const log: string[] = [];
      let i = 0;
      const kinds: number[] = [];
      for (let n = 0; n < 6; n++) {
        kinds.push(
          sim.registerKind(`k${n}`, (target, arg) => {
            log.push(`${sim.now}:${n}:${target}:${arg}`);
            // Each dispatch schedules the script's next event (if any), some at delay 0 (ties).
            if (i < script.length) {
              const [kind, delay, target2] = script[i++]!;
              sim.post(delay, kinds[kind]!, target2, i);
            }
          }),
        );
      }
      for (const h of hot) sim.markHot(kinds[h]!);
      for (let n = 0; n < 3 && i < script.length; n++) {
        const [kind, delay, target] = script[i++]!;
        sim.post(delay, kinds[kind]!, target, i);
      }
      sim.runUntil(until);
      sim.run();
      return log;
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.nat(9)), {
          maxLength: 80,
        }),
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 7 }),
        fc.nat(60),
        (script, hot, until) => {
          expect(run(script, hot, until)).to.deep.equal(run(script, [], until));
        },
      ),
    );
    expect(() => new Simulation().markHot(0)).to.throw(RangeError);
  });
});
