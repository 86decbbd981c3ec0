import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { SWEEP_METRICS } from '../../src/scenario/sweep-schema.js';
import { mapCsv, mapRow, mapSvg, OSCILLATION_REVERSALS, predictedLoop } from '../../src/sweep/density-map.js';
import { densityMapRows, LESSON, MAP_DIR } from '../../tools/density-map.js';

/** Figures of one run in SWEEP_METRICS order, from the few the map reads. */
function run(f: { podSeconds: number; sloViolationMin: number; flapping: number; p99Ms?: number }): number[] {
  return SWEEP_METRICS.map((m) => (m in f ? (f as Record<string, number>)[m]! : 0));
}

describe('density-law stability map (src/sweep/density-map.ts)', () => {
  it("predicts the loop from α × periodS by the stability check's bounds", () => {
    for (const [k, want] of [
      [0.3, 'monotone'],
      [1, 'monotone'],
      [1.5, 'ringing'],
      [1.99, 'ringing'],
      [2, 'diverging'],
      [7.5, 'diverging'],
    ] as const)
      expect(predictedLoop(k), `αΔt ${k}`).to.equal(want);
  });

  it(
    'oscillates at OSCILLATION_REVERSALS mean reversals; beats the HPA only when cheaper and no worse on every ' +
      'seed',
    () => {
      const hpa = [
        run({ podSeconds: 100, sloViolationMin: 1, flapping: 0 }),
        run({ podSeconds: 100, sloViolationMin: 1, flapping: 0 }),
      ];
      const cell = (runs: number[][]) => mapRow({ alpha: 0.1, beta: 0, gamma: 0, periodS: 15, runs }, hpa);
      const calm = cell([
        run({ podSeconds: 90, sloViolationMin: 1, flapping: OSCILLATION_REVERSALS - 1 }),
        run({ podSeconds: 90, sloViolationMin: 0, flapping: OSCILLATION_REVERSALS }),
      ]);
      expect(calm).to.deep.include({ behaviour: 'stable', beatsHpa: true, predicted: 'ringing', alphaPeriod: 1.5 });
      const ringing = cell([
        run({ podSeconds: 90, sloViolationMin: 0, flapping: OSCILLATION_REVERSALS }),
        run({ podSeconds: 90, sloViolationMin: 0, flapping: OSCILLATION_REVERSALS }),
      ]);
      expect(ringing.behaviour).to.equal('oscillates');
      // Cheaper on average but not on one seed, or cheaper but more minutes over the SLO: no.
      expect(
        cell([
          run({ podSeconds: 50, sloViolationMin: 0, flapping: 0 }),
          run({ podSeconds: 101, sloViolationMin: 0, flapping: 0 }),
        ]).beatsHpa,
      ).to.equal(false);
      expect(
        cell([
          run({ podSeconds: 50, sloViolationMin: 1.1, flapping: 0 }),
          run({ podSeconds: 50, sloViolationMin: 0, flapping: 0 }),
        ]).beatsHpa,
      ).to.equal(false);
      expect(() => mapRow({ alpha: 0.1, beta: 0, gamma: 0, periodS: 15, runs: [hpa[0]!] }, hpa)).to.throw(RangeError);
    },
  );

  it('draws a cell per row, coloured by behaviour, with a ★ per cell that beats the HPA', () => {
    const hpa = [run({ podSeconds: 100, sloViolationMin: 0, flapping: 0 })];
    const rows = [0.02, 0.3].flatMap((alpha) =>
      [0, 0.2].map((beta) =>
        mapRow(
          {
            alpha,
            beta,
            gamma: 0,
            periodS: 15,
            runs: [run({ podSeconds: alpha < 0.1 ? 80 : 120, sloViolationMin: 0, flapping: alpha < 0.1 ? 0 : 9 })],
          },
          hpa,
        ),
      ),
    );
    const svg = mapSvg(rows, 't');
    expect(svg.match(/class="cell"[^>]*fill="#cfe8cf"/g)).to.have.length(2);
    expect(svg.match(/class="cell"[^>]*fill="#f6c6a0"/g)).to.have.length(2);
    expect(svg.match(/★<\/text>/g)).to.have.length(2);
    expect(svg).to.match(/αΔt 4\.50 diverging/);
  });

  describe('the committed map (results/reference/density-law-map, npm run density-map)', function () {
    this.timeout(600_000);
    const csv = readFileSync(`${MAP_DIR}/map.csv`, 'utf8');
    const lines = csv.trimEnd().split('\n');
    const [header, ...body] = lines;

    it("covers the lesson's whole sweep, and its SVG shows every cell", () => {
      const doc = readFileSync(LESSON, 'utf8');
      expect(doc).to.match(/densityController\.alpha: \[0\.02, 0\.05, 0\.1, 0\.3, 0\.5\]/);
      expect(body).to.have.length(5 * 4 * 3);
      const svg = readFileSync(`${MAP_DIR}/map.svg`, 'utf8');
      expect(svg.match(/<rect class="cell"/g)).to.have.length(body.length);
      expect(svg.match(/ ★<\/text>/g)?.length).to.equal(body.filter((l) => l.endsWith(',yes')).length);
    });

    it(
      'a few cells re-run from the model give the committed rows byte for byte (small αΔt stable, large ' +
        'oscillates)',
      async () => {
        const cells = new Set(['0.02/0/0', '0.05/0/0', '0.3/0/0']);
        const rows = await densityMapRows(LESSON, {
          workers: 2,
          keep: (p) => cells.has(p.params.map(([, v]) => v).join('/')),
        });
        expect(rows).to.have.length(3);
        const [smallA, mid, largeA] = rows;
        // The model's side: αΔt = 0.3 settles; αΔt = 4.5 rescales back and forth all run long.
        expect(smallA).to.deep.include({ predicted: 'monotone', behaviour: 'stable' });
        expect(largeA).to.deep.include({ predicted: 'diverging', behaviour: 'oscillates' });
        expect(largeA!.reversals).to.be.greaterThan(2 * OSCILLATION_REVERSALS);
        expect(mid).to.deep.include({ behaviour: 'stable', beatsHpa: true });
        const produced = mapCsv(rows).trimEnd().split('\n');
        expect(produced[0]).to.equal(header);
        for (const line of produced.slice(1)) expect(body, 'a re-run row is in the committed map.csv').to.include(line);
      },
    );
  });
});
