import { expect } from 'chai';
import { Warmup } from '../../src/runtime/warmup.js';
import { problems } from '../support/problems.js';

describe('warm-up after Ready (cluster.pod.warmup)', () => {
  const S = 1e9;
  // m(x) = 1 + (m0 − 1) · 2^(−x / h)
  const cases: {
    name: string;
    cfg: { initialMultiplier: number; halfLifeS?: number; halfLifeRequests?: number };
    readyNs: number;
    nowNs: number;
    served: number;
    warm?: boolean;
    want: number;
  }[] = [
    {
      name: 'not Ready yet: fully cold',
      cfg: { initialMultiplier: 3, halfLifeS: 20 },
      readyNs: NaN,
      nowNs: 5 * S,
      served: 0,
      want: 3,
    },
    {
      name: 'at Ready',
      cfg: { initialMultiplier: 3, halfLifeS: 20 },
      readyNs: 10 * S,
      nowNs: 10 * S,
      served: 0,
      want: 3,
    },
    {
      name: 'one half-life after Ready: half the extra cost',
      cfg: { initialMultiplier: 3, halfLifeS: 20 },
      readyNs: 10 * S,
      nowNs: 30 * S,
      served: 0,
      want: 2,
    },
    {
      name: 'two half-lives',
      cfg: { initialMultiplier: 3, halfLifeS: 20 },
      readyNs: 10 * S,
      nowNs: 50 * S,
      served: 0,
      want: 1.5,
    },
    {
      name: 'by requests: 100 served with a 100-request half-life',
      cfg: { initialMultiplier: 5, halfLifeRequests: 100 },
      readyNs: 0,
      nowNs: 99 * S,
      served: 100,
      want: 3,
    },
    {
      name: 'the initial replicas are warm',
      cfg: { initialMultiplier: 3, halfLifeS: 20 },
      readyNs: 0,
      nowNs: 0,
      served: 0,
      warm: true,
      want: 1,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const clock = { now: c.nowNs };
      const w = new Warmup(c.cfg, clock, () => c.readyNs, c.warm ?? false);
      w.served = c.served;
      expect(w.factor()).to.be.closeTo(c.want, 1e-12);
    });
  }

  it('the clock is the first Ready: losing readiness later does not make the process cold again', () => {
    const clock = { now: 10 * S };
    let ready = 10 * S;
    const w = new Warmup({ initialMultiplier: 3, halfLifeS: 20 }, clock, () => ready, false);
    expect(w.factor()).to.equal(3);
    ready = NaN;
    clock.now = 30 * S;
    expect(w.factor()).to.be.closeTo(2, 1e-12);
  });

  it('bad input: exactly one half-life', () => {
    const both = problems('durationS: 10\ncluster: {pod: {warmup: {halfLifeS: 10, halfLifeRequests: 50}}}\n').join(
      '\n',
    );
    expect(both).to.match(/cluster\.pod\.warmup\.halfLifeS: expected one of halfLifeS or halfLifeRequests, found both/);
    const none = problems('durationS: 10\ncluster: {pod: {warmup: {initialMultiplier: 2}}}\n').join('\n');
    expect(none).to.match(/found neither/);
    expect(
      problems('durationS: 10\ncluster: {pod: {warmup: {initialMultiplier: 0.5, halfLifeS: 3}}}\n').join('\n'),
    ).to.match(/initialMultiplier/);
  });
});
