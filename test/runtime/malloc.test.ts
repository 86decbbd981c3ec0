import { expect } from 'chai';
import { CLASS_TO_SIZE, mallocgcNs, roundupsize } from '../../src/runtime/gmp/malloc.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/** mallocgc's cost (malloc.go) and the size classes it rounds to (sizeclasses.go, Go 1.19). */
describe('malloc: mallocgc cost per object and per byte zeroed', () => {
  const c = { smallNs: 20, largeNs: 1000, zeroNsPerByte: 0.05 };

  describe('roundupsize (sizeclasses.go class_to_size; large objects in whole 8 KiB pages)', () => {
    const cases: [string, number, number][] = [
      ['1 B → the 8 B class', 1, 8],
      ['17 B → the 24 B class (added in Go 1.16)', 17, 24],
      ['64 B is a class of its own', 64, 64],
      ['1025 B → 1152 B', 1025, 1152],
      ['32 KiB is the largest small class', 32768, 32768],
      ['32 KiB + 1 B is large: 5 pages', 32769, 40960],
      ['1 MiB is 128 pages', 1 << 20, 1 << 20],
    ];
    for (const [name, size, want] of cases) it(name, () => expect(roundupsize(size)).to.equal(want));
    it('has the 67 small classes of Go 1.19 (68 with class 0)', () => expect(CLASS_TO_SIZE).to.have.length(68));
  });

  describe('mallocgcNs', () => {
    const cases: [string, number, number, number][] = [
      ['64 KiB as 64 B objects: 1024 × (20 + 64 × 0.05)', 65536, 64, 1024 * (20 + 3.2)],
      ['one 64 KiB object: the large path + 64 KiB zeroed', 65536, 65536, 1000 + 65536 * 0.05],
      ['100 B as 64 B objects: one 64 B and one 36 B (→ 48 B class)', 100, 64, 20 + 3.2 + 20 + 48 * 0.05],
      ['an object bigger than the allocation: one object of the bytes', 100, 4096, 20 + 112 * 0.05],
      ['nothing allocated costs nothing', 0, 64, 0],
    ];
    for (const [name, bytes, obj, want] of cases)
      it(name, () => expect(mallocgcNs(bytes, obj, c)).to.be.closeTo(want, 1e-9));
    it('zero costs charge nothing', () =>
      expect(mallocgcNs(1 << 20, 64, { smallNs: 0, largeNs: 0, zeroNsPerByte: 0 })).to.equal(0));
  });
});

describe('malloc: an alloc step charges mallocgc to the allocating goroutine', () => {
  // One request at t = 0: allocate, then 1 ms of CPU; GOGC off, so the only difference is mallocgc's CPU.
  const latencyMs = (costs: object) => {
    const doc = {
      durationS: 1,
      workload: {
        arrival: { process: 'timestamps', atS: [0] },
        request: {
          steps: [
            { alloc: { dist: 'constant', valueKB: 64, objectBytes: 64 } },
            { cpu: { dist: 'constant', valueMs: 1 } },
          ],
        },
      },
      runtime: { gomaxprocs: 1, costs, gc: { gogc: 'off' } },
    };
    return runScenario(parseScenario(JSON.stringify(doc), 'malloc.json'), 1).summary.latencyMs.max;
  };
  it('the request takes mallocgcNs longer than with allocation free', () => {
    const free = latencyMs({ mallocNsPerObject: 0, mallocLargeUs: 0, zeroNsPerKB: 0 });
    const charged = latencyMs({ mallocNsPerObject: 20, zeroNsPerKB: 50 });
    const want = mallocgcNs(65536, 64, { smallNs: 20, largeNs: 0, zeroNsPerByte: 50 / 1024 }) / 1e6;
    expect(charged - free).to.be.closeTo(want, 1e-6);
    expect(want).to.be.greaterThan(0.02); // 1024 objects × (20 ns + 64 B zeroed)
  });
});
