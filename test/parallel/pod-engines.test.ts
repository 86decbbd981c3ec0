import { expect } from 'chai';
import fc from 'fast-check';
import { COMPLETED, DRAINED, PodEngines } from '../../src/parallel/pod-engines.js';

type Rec = [tNs: number, pod: number, id: number, tag: number];

/** Record each pod's list on its own engine (its clock at each record's time), then drain them all. */
function drainAll(perPod: Array<Array<[number, number]>>, engines = new PodEngines({ now: 0 })): Rec[] {
  perPod.forEach((recs, k) => {
    const s = engines.sim(k);
    for (const [t, id] of recs) {
      s.now = t;
      engines.record(k, id, id % 5 === 0 ? DRAINED : COMPLETED);
    }
  });
  const out: Rec[] = [];
  engines.drain((t, k, id, tag) => out.push([t, k, id, tag]));
  return out;
}

/** The order drain promises: time, then pod index, then the pod's own order. */
function expected(perPod: Array<Array<[number, number]>>): Rec[] {
  const all = perPod.flatMap((recs, k) =>
    recs.map(([t, id], i) => ({ rec: [t, k, id, id % 5 === 0 ? DRAINED : COMPLETED] as Rec, i })),
  );
  all.sort((a, b) => a.rec[0] - b.rec[0] || a.rec[1] - b.rec[1] || a.i - b.i);
  return all.map((x) => x.rec);
}

describe("PodEngines.drain: the pods' records in (time, pod index, own order)", () => {
  // Times from a few values (ties across pods and within one), or spread wide (many buckets, one each).
  const podRecords = (maxT: number) =>
    fc
      .array(fc.integer({ min: 0, max: maxT }), { maxLength: 60 })
      .map((ts) => ts.sort((a, b) => a - b).map((t, i): [number, number] => [1e12 + t, i]));

  for (const [name, maxT] of [
    ['ties: a few distinct times', 4],
    ['a window of distinct times', 1e9],
  ] as const) {
    it(`${name} (fast-check)`, () => {
      fc.assert(
        fc.property(fc.array(podRecords(maxT), { maxLength: 25 }), (perPod) => {
          expect(drainAll(perPod)).to.deep.equal(expected(perPod));
        }),
        { numRuns: 200 },
      );
    });
  }

  it('empties the buffers: a second drain hears nothing, and the next window only its own records', () => {
    const engines = new PodEngines({ now: 0 });
    const first: Array<Array<[number, number]>> = [
      [[5, 1]],
      [],
      [
        [3, 2],
        [5, 3],
        [5, 4],
      ],
    ];
    expect(drainAll(first, engines)).to.deep.equal(expected(first));
    const none: Rec[] = [];
    engines.drain((t, k, id, tag) => none.push([t, k, id, tag]));
    expect(none).to.deep.equal([]);
    const second: Array<Array<[number, number]>> = [[[9, 7]], [[8, 8]], []];
    expect(drainAll(second, engines)).to.deep.equal(expected(second));
  });

  it('one record, one pod, and pods made out of order (a sparse list of engines)', () => {
    const engines = new PodEngines({ now: 0 });
    engines.sim(3);
    const perPod: Array<Array<[number, number]>> = [[], [], [], [[7, 1]]];
    expect(drainAll(perPod, engines)).to.deep.equal([[7, 3, 1, COMPLETED]]);
  });
});
