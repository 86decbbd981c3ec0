import { expect } from 'chai';
import { RUNQ_SIZE, RunQueues } from '../../src/runtime/gmp/runq.js';

describe('gmp/runq (proc.go run queue rules)', () => {
  it('runqput with next puts the G in runnext and moves the displaced one to the tail', () => {
    const q = new RunQueues(2);
    q.runqput(0, 10, true);
    q.runqput(0, 11, true);
    expect(q.runnext[0]).to.equal(11);
    expect(q.runqlen(0)).to.equal(1);
    expect(q.runqget(0)).to.equal(11);
    expect(q.inheritTime).to.equal(true); // runnext inherits the time slice
    expect(q.runqget(0)).to.equal(10);
    expect(q.inheritTime).to.equal(false);
    expect(q.runqget(0)).to.equal(-1);
  });

  it('a full local queue overflows half + 1 (129 Gs) to the global queue, in order', () => {
    const q = new RunQueues(1);
    for (let i = 0; i < RUNQ_SIZE; i++) q.runqput(0, i, false);
    expect(q.runqsize).to.equal(0);
    q.runqput(0, 1000, false);
    expect(q.runqsize).to.equal(129);
    expect(q.runqlen(0)).to.equal(128);
    // Global order: the 128 oldest, then the new G.
    const got: number[] = [];
    for (let i = 0; i < 129; i++) got.push(q.globrunqget(0, 1, 1));
    expect(got.slice(0, 3)).to.deep.equal([0, 1, 2]);
    expect(got[127]).to.equal(127);
    expect(got[128]).to.equal(1000);
  });

  it('runqsteal takes half rounded up, runs the last one taken, queues the rest on the thief', () => {
    const q = new RunQueues(2);
    for (let i = 0; i < 7; i++) q.runqput(0, i, false);
    const gp = q.runqsteal(1, 0, false);
    expect(q.stolen).to.equal(4); // 7 − floor(7/2)
    expect(gp).to.equal(3);
    expect(q.runqlen(1)).to.equal(3);
    expect(q.runqlen(0)).to.equal(3);
    expect([q.runqget(1), q.runqget(1), q.runqget(1)]).to.deep.equal([0, 1, 2]);
    expect(q.runqget(0)).to.equal(4);
  });

  it("runnext is stolen only when stealRunNextG (the last round) and the victim's ring is empty", () => {
    const q = new RunQueues(2);
    q.runqput(0, 42, true);
    expect(q.runqsteal(1, 0, false)).to.equal(-1);
    expect(q.runqsteal(1, 0, true)).to.equal(42);
    expect(q.runnext[0]).to.equal(-1);
    q.runqput(0, 1, false);
    q.runqput(0, 2, true);
    expect(q.runqsteal(1, 0, true)).to.equal(1); // the ring is not empty: runnext stays
    expect(q.runnext[0]).to.equal(2);
  });

  it('globrunqget takes min(size, size/GOMAXPROCS + 1, max, 128): one to run, the rest to the local queue', () => {
    const q = new RunQueues(4);
    for (let i = 0; i < 40; i++) q.globrunqput(i);
    expect(q.globrunqget(0, 0, 4)).to.equal(0); // n = 40/4 + 1 = 11
    expect(q.runqlen(0)).to.equal(10);
    expect(q.runqsize).to.equal(29);
    expect(q.globrunqget(1, 1, 4)).to.equal(11); // max = 1 (the schedtick % 61 fairness check)
    expect(q.runqlen(1)).to.equal(0);
    const big = new RunQueues(1);
    for (let i = 0; i < 1000; i++) big.globrunqput(i);
    big.globrunqget(0, 0, 1);
    expect(big.runqlen(0)).to.equal(127); // capped at half the local ring (128)
    expect(big.globrunqget(0, 0, 1)).to.equal(128);
  });
});
