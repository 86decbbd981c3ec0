import { expect } from 'chai';
import fc from 'fast-check';
import { DeadlineHeap } from '../../src/engine/deadline-heap.js';

/** Replays ops on the heap and on a stable-sorted reference; returns both pop sequences. */
function replay(ops: ({ push: number } | 'pop')[], startSeq: number) {
  const h = new DeadlineHeap(4, true);
  h.setNextSeqForTest(startSeq);
  const ref: { t: number; id: number }[] = [];
  const got: number[][] = [];
  const want: number[][] = [];
  let id = 0;
  for (const op of ops) {
    if (op === 'pop') {
      if (ref.length === 0) continue;
      const g = h.pop();
      got.push([h.poppedTime, g, h.poppedAux]);
      let best = 0;
      for (let i = 1; i < ref.length; i++) if (ref[i]!.t < ref[best]!.t) best = i; // first minimum = FIFO
      const w = ref.splice(best, 1)[0]!;
      want.push([w.t, w.id, w.id + 1000]);
    } else {
      h.push(op.push, id, id + 1000);
      ref.push({ t: op.push, id });
      id++;
    }
    expect(h.size).to.equal(ref.length);
  }
  return { got, want };
}

describe('engine/DeadlineHeap', () => {
  it('pops in deadline order, equal deadlines in push order, with aux values (fast-check)', () => {
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 20 }) }), fc.constant('pop' as const));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const { got, want } = replay(ops, 0);
        expect(got).to.deep.equal(want);
      }),
    );
  });

  it('keeps FIFO ties across the 32-bit sequence wrap (renumbering)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 5 }) }), fc.constant('pop' as const)), {
          maxLength: 200,
        }),
        (ops) => {
          const { got, want } = replay([{ push: 1 }, ...ops], 0xffffffff - 50);
          expect(got).to.deep.equal(want);
        },
      ),
    );
  });

  it('reports +Infinity when empty and throws on pop', () => {
    const h = new DeadlineHeap();
    expect(h.peekTime()).to.equal(Infinity);
    expect(() => h.pop()).to.throw(/empty/);
  });
});
