import { expect } from 'chai';
import { type Prng, RandomStream } from '../../src/engine/random.js';
import { StealOrder } from '../../src/runtime/gmp/steal.js';

/**
 * proc.go's stealOrder where it lives (steal.ts), built directly: randomOrder.reset's coprimes and
 * randomOrder.start's first P and stride. stealWork and runqgrab's usleep(3) are tested through a Sched
 * in rules.test.ts (findRunnable → stealWork, runqgrab's runnext).
 */

/** A stream whose draws are the given 32-bit values, in order. */
function fixedStream(values: number[]): RandomStream {
  let i = 0;
  const prng = (() => values[i++]! / 4294967296) as Prng;
  prng.double = prng;
  return new RandomStream('sched.steal', '', prng);
}

describe('proc.go stealOrder (StealOrder)', () => {
  const resets: { name: string; gomaxprocs: number; want: number[] }[] = [
    { name: 'proc.go randomOrder.reset: GOMAXPROCS 1 → [1]', gomaxprocs: 1, want: [1] },
    { name: 'proc.go randomOrder.reset: GOMAXPROCS 6 → [1 5]', gomaxprocs: 6, want: [1, 5] },
    { name: 'proc.go randomOrder.reset: GOMAXPROCS 8 → [1 3 5 7]', gomaxprocs: 8, want: [1, 3, 5, 7] },
    { name: 'proc.go randomOrder.reset: GOMAXPROCS 12 → [1 5 7 11]', gomaxprocs: 12, want: [1, 5, 7, 11] },
  ];
  for (const c of resets) {
    it(c.name, () => expect(new StealOrder(c.gomaxprocs, 1, fixedStream([])).coprimes).to.deep.equal(c.want));
  }

  const starts: { name: string; gomaxprocs: number; draw: number; pos: number; inc: number }[] = [
    { name: 'proc.go randomOrder.start(0): P0, stride 1', gomaxprocs: 8, draw: 0, pos: 0, inc: 1 },
    { name: 'proc.go randomOrder.start(13) of 8: P5, stride coprimes[1] = 3', gomaxprocs: 8, draw: 13, pos: 5, inc: 3 },
    {
      name: 'proc.go randomOrder.start(i) of 6: pos = i mod 6, inc = coprimes[i/6 mod 2]',
      gomaxprocs: 6,
      draw: 6 * 3 + 4,
      pos: 4,
      inc: 5,
    },
  ];
  for (const c of starts) {
    it(c.name, () => {
      const o = new StealOrder(c.gomaxprocs, 1, fixedStream([c.draw]));
      o.start();
      expect([o.pos, o.inc]).to.deep.equal([c.pos, c.inc]);
    });
  }

  it('proc.go randomEnum: every round visits each P exactly once, for GOMAXPROCS 1..16 and any start', () => {
    for (let n = 1; n <= 16; n++) {
      const draws = [0, 1, 7, 12345, 4294967295];
      const o = new StealOrder(n, 1, fixedStream(draws));
      for (const _ of draws) {
        o.start();
        const seen = new Set<number>();
        for (let k = 0, pos = o.pos; k < n; k++, pos = (pos + o.inc) % n) seen.add(pos);
        expect(seen.size, `GOMAXPROCS ${n}`).to.equal(n);
      }
    }
  });
});
