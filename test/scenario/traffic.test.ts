import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadScenarioFile, type Problem } from '../../src/scenario/load.js';
import { parseTraffic, TrafficError, type TrafficOptions } from '../../src/scenario/traffic.js';

const rates: TrafficOptions = { format: 'rates', fileType: 'csv' };
const prom = (...series: [Record<string, string>, [number, string][]][]) =>
  JSON.stringify({
    status: 'success',
    data: { resultType: 'matrix', result: series.map(([metric, values]) => ({ metric, values })) },
  });

/** Good inputs: what each becomes. */
const good: { name: string; text: string; o: TrafficOptions; points: number[][]; warning?: RegExp }[] = [
  {
    name: 'relative seconds, a header',
    text: 'time_s,rate_per_s\n0,100\n60,250\n',
    o: rates,
    points: [
      [0, 100],
      [60, 250],
    ],
  },
  {
    name: 'quoted headers with commas; columns chosen by name',
    text: '"Time","checkout, rps","errors"\n0,5,"100"\n30,7,"200"\n',
    o: { ...rates, timeColumn: 'Time', valueColumn: 'errors' },
    points: [
      [0, 100],
      [30, 200],
    ],
  },
  {
    name: "Grafana's CSV export (local times without a zone), rebased",
    text: '"Time","sum(rate(http_requests_total[1m]))"\n2026-03-01 12:00:00,120.5\n2026-03-01 12:00:15,130\n',
    o: rates,
    points: [
      [0, 120.5],
      [15, 130],
    ],
    warning: /no time zone/,
  },
  {
    name: 'Unix seconds, rebased',
    text: '1772366400,10\n1772366410,20\n',
    o: rates,
    points: [
      [0, 10],
      [10, 20],
    ],
    warning: /2026-03-01T12:00:00\.000Z is t = 0/,
  },
  {
    name: 'Unix milliseconds, rebased',
    text: '1772366400000,10\n1772366400500,20\n',
    o: rates,
    points: [
      [0, 10],
      [0.5, 20],
    ],
  },
  {
    name: 'RFC 3339 with offsets',
    text: '2026-03-01T12:00:00Z,10\n2026-03-01T13:00:30+01:00,20\n2026-03-01T12:01:00Z,30\n',
    o: rates,
    points: [
      [0, 10],
      [30, 20],
      [60, 30],
    ],
  },
  {
    name: 'a counter becomes rates, a reset counted from zero (as rate() does)',
    text: '0,1000\n10,1500\n20,100\n30,400\n',
    o: { format: 'counter', fileType: 'csv' },
    points: [
      [0, 50],
      [10, 10],
      [20, 30],
    ],
    warning: /1 counter reset/,
  },
  {
    name: 'timestamps: equal times allowed',
    text: '0.5\n1.25\n1.25\n3\n',
    o: { format: 'timestamps', fileType: 'csv' },
    points: [[0.5], [1.25], [1.25], [3]],
  },
  {
    name: 'Prometheus query_range, one series',
    text: prom([
      { job: 'api' },
      [
        [1772366400, '10'],
        [1772366415, '12.5'],
      ],
    ]),
    o: { format: 'rates', fileType: 'prometheus-json' },
    points: [
      [0, 10],
      [15, 12.5],
    ],
  },
  {
    name: 'Prometheus query_range, several series summed',
    text: prom(
      [
        { pod: 'a' },
        [
          [1772366400, '10'],
          [1772366415, '12'],
        ],
      ],
      [
        { pod: 'b' },
        [
          [1772366400, '5'],
          [1772366415, '1'],
        ],
      ],
    ),
    o: { format: 'rates', fileType: 'prometheus-json', series: 'sum' },
    points: [
      [0, 15],
      [15, 13],
    ],
  },
];

/** Bad inputs: each refused, naming the line where there is one. */
const bad: { name: string; text: string; o: TrafficOptions; error: RegExp; line?: number }[] = [
  { name: 'a row cut short ("0.5,")', text: '0,1\n0.5,\n', o: rates, error: /expected "time,value"/, line: 2 },
  { name: 'an infinite rate', text: '0,Infinity\n', o: rates, error: /expected "time,value"/, line: 1 },
  {
    name: 'times out of order',
    text: '0,1\n10,2\n5,3\n',
    o: rates,
    error: /increasing order, found 5 after 10/,
    line: 3,
  },
  { name: 'a negative rate', text: '0,1\n10,-2\n', o: rates, error: /expected a rate ≥ 0, found -2/, line: 2 },
  { name: 'no arrivals at all', text: '0,0\n10,0\n', o: rates, error: /yields no arrivals/ },
  {
    name: 'absolute and relative times mixed',
    text: '0,1\n1772366400,2\n',
    o: rates,
    error: /all times absolute .* or all relative/,
  },
  {
    name: 'a column that is not there',
    text: 'Time,rps\n0,1\n',
    o: { ...rates, valueColumn: 'qps' },
    error: /expected a column named "qps"/,
  },
  {
    name: 'several Prometheus series without `series`',
    text: prom([{ pod: 'a' }, [[1, '1']]], [{ pod: 'b' }, [[1, '1']]]),
    o: { format: 'rates', fileType: 'prometheus-json' },
    error: /expected one series, found 2 .*series: sum/,
  },
  {
    name: 'a Prometheus instant query (a vector)',
    text: '{"status":"success","data":{"resultType":"vector","result":[]}}',
    o: { format: 'rates', fileType: 'prometheus-json' },
    error: /expected a query_range response/,
  },
];

describe('traffic in (src/scenario/traffic.ts)', () => {
  for (const c of good) {
    it(`reads ${c.name}`, () => {
      const t = parseTraffic(c.text, c.o);
      expect(t.points).to.deep.equal(c.points);
      if (c.warning) expect(t.warnings.map((w) => w.message).join('\n')).to.match(c.warning);
    });
  }
  for (const c of bad) {
    it(`refuses ${c.name}`, () => {
      try {
        parseTraffic(c.text, c.o);
        expect.fail('accepted');
      } catch (e) {
        expect(e).to.be.instanceOf(TrafficError);
        const p = (e as TrafficError).problems.find((x) => c.error.test(x.message));
        expect(p, (e as Error).message).to.not.equal(undefined);
        if (c.line !== undefined) expect(p!.line).to.equal(c.line);
      }
    });
  }

  it('in a scenario: a trace shorter than the run and rebased times are warnings; rateScale multiplies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmpsim-traffic-'));
    writeFileSync(join(dir, 'prod.csv'), '"Time","rps"\n1772366400,100\n1772366430,200\n');
    writeFileSync(
      join(dir, 's.yaml'),
      'durationS: 120\nworkload: { arrival: { process: trace, file: prod.csv, rateScale: 2 } }\n',
    );
    const warnings: Problem[] = [];
    const s = loadScenarioFile(join(dir, 's.yaml'), warnings);
    expect(s.workload.arrival).to.deep.include({
      process: 'steps',
      steps: [
        { atS: 0, ratePerS: 200 },
        { atS: 30, ratePerS: 400 },
      ],
    });
    const text = warnings.map((w) => `${w.file}: ${w.message}`).join('\n');
    expect(text).to.match(/prod\.csv: absolute times rebased/);
    expect(text).to.match(
      /prod\.csv: the trace covers 0–30 s and the run lasts 120 s: its last rate \(400\/s\) holds to the end/,
    );
  });
});
