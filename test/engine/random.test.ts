import { expect } from 'chai';
import { RandomStreams } from '../../src/engine/random.js';

describe('engine/RandomStreams', () => {
  it('same seed and name give the same sequence', () => {
    const a = new RandomStreams(42).stream('arrivals');
    const b = new RandomStreams(42).stream('arrivals');
    for (let i = 0; i < 1000; i++) expect(a.next()).to.equal(b.next());
  });

  it('streams are independent: drawing from one never shifts another', () => {
    const s1 = new RandomStreams(7);
    const s2 = new RandomStreams(7);
    const x = s1.stream('service');
    s2.stream('steal').next(); // an extra stream used in one run only
    for (let i = 0; i < 100; i++) s2.stream('steal').next();
    const y = s2.stream('service');
    for (let i = 0; i < 100; i++) expect(x.next()).to.equal(y.next());
  });

  it('different seeds and names differ', () => {
    expect(new RandomStreams(1).stream('a').next()).not.to.equal(new RandomStreams(2).stream('a').next());
    expect(new RandomStreams(1).stream('a').next()).not.to.equal(new RandomStreams(1).stream('b').next());
  });

  it('exponential has the requested mean and normal is standard (large sample)', () => {
    const r = new RandomStreams(3).stream('x');
    let sum = 0, sn = 0, sn2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) sum += r.exponential(2);
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(sum / n).to.be.closeTo(2, 0.03);
    expect(sn / n).to.be.closeTo(0, 0.01);
    expect(sn2 / n).to.be.closeTo(1, 0.015);
  });
});
