import { expect } from 'chai';
import { DEP_QUEUED, DEP_REJECTED, DEP_START, Dependency } from '../../src/service/dependency.js';
import { ConcurrencyLimiter } from '../../src/service/limiter.js';

/** Netflix concurrency-limits' SimpleLimiter + AIMDLimit (AIMDLimit._update), and the dependency's queue. */
describe('service/limiter: fixed and AIMD', () => {
  it('fixed: admits up to the limit, sheds the rest', () => {
    const l = new ConcurrencyLimiter({ kind: 'fixed', limit: 2 });
    expect([l.tryAcquire(), l.tryAcquire(), l.tryAcquire()]).to.deep.equal([true, true, false]);
    expect(l.shed).to.equal(1);
    l.onSample(1, false);
    expect(l.tryAcquire()).to.equal(true);
  });
  const aimd = {
    kind: 'aimd' as const,
    initialLimit: 10,
    minLimit: 2,
    maxLimit: 12,
    backoffRatio: 0.9,
    timeoutNs: 1000,
  };
  const rows: { name: string; inflight: number; rtt: number; drop: boolean; limit: number }[] = [
    { name: 'a drop multiplies by backoffRatio (floor)', inflight: 1, rtt: 1, drop: true, limit: 9 },
    { name: 'an RTT over the timeout counts as a drop', inflight: 1, rtt: 1001, drop: false, limit: 9 },
    { name: 'inflight*2 >= limit grows it by one', inflight: 5, rtt: 1, drop: false, limit: 11 },
    { name: 'a lightly used limit stays', inflight: 4, rtt: 1, drop: false, limit: 10 },
  ];
  for (const r of rows) {
    it(`aimd: ${r.name}`, () => {
      const l = new ConcurrencyLimiter(aimd);
      for (let i = 0; i < r.inflight; i++) l.tryAcquire();
      l.onSample(r.rtt, r.drop);
      expect(l.limit).to.equal(r.limit);
    });
  }
  it('aimd: stays within [minLimit, maxLimit]', () => {
    const l = new ConcurrencyLimiter(aimd);
    for (let i = 0; i < 50; i++) {
      l.tryAcquire();
      l.onSample(1, true);
    }
    expect(l.limit).to.equal(2);
    for (let i = 0; i < 50; i++) {
      for (let k = 0; k < l.limit; k++) l.tryAcquire();
      l.onSample(1, false);
      while (l.inFlight > 0) l.onSample(1, false);
    }
    expect(l.limit).to.equal(12);
  });
});

describe('service/dependency: a shared server with a bounded queue', () => {
  it('serves `concurrency` at once, queues FIFO up to queueLimit, refuses beyond', () => {
    const d = new Dependency('db', 2, 1);
    expect([d.arrive(1), d.arrive(2), d.arrive(3), d.arrive(4)]).to.deep.equal([
      DEP_START,
      DEP_START,
      DEP_QUEUED,
      DEP_REJECTED,
    ]);
    expect(d.finish()).to.equal(3);
    expect(d.inService).to.equal(2);
    expect(d.finish()).to.equal(-1);
    expect([d.inService, d.calls, d.rejected, d.maxQueued]).to.deep.equal([1, 4, 1, 1]);
  });
  it('concurrency 0 is unlimited', () => {
    const d = new Dependency('db', 0, 0);
    for (let i = 0; i < 100; i++) expect(d.arrive(i)).to.equal(DEP_START);
  });
});
