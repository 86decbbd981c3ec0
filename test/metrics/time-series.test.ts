import { expect } from 'chai';
import { type RowSink, TimeSeries } from '../../src/metrics/time-series.js';

/** A sink that records what it is given. */
function recorder(): RowSink & { columns?: readonly string[]; rows: number[][] } {
  const r: RowSink & { columns?: readonly string[]; rows: number[][] } = {
    rows: [],
    begin: (c) => {
      r.columns = c;
    },
    row: (v) => {
      r.rows.push([...v]);
    },
  };
  return r;
}

describe('metrics/TimeSeries', () => {
  const cases: { name: string; stride: number; rows: number; kept: number[] }[] = [
    { name: 'stride 1 keeps every row', stride: 1, rows: 5, kept: [0, 1, 2, 3, 4] },
    { name: 'stride 3 keeps samples 0, 3, 6', stride: 3, rows: 8, kept: [0, 3, 6] },
    { name: 'stride 0 keeps none', stride: 0, rows: 4, kept: [] },
  ];
  for (const c of cases) {
    it(`${c.name}; the sink gets every row`, () => {
      const sink = recorder();
      const t = new TimeSeries(['t_s', 'x'], c.stride, sink);
      for (let i = 0; i < c.rows; i++) t.append([i, i * 10]);
      expect(sink.columns).to.deep.equal(['t_s', 'x']);
      expect(sink.rows.map((r) => r[0])).to.deep.equal(Array.from({ length: c.rows }, (_, i) => i));
      expect(t.rows.map((r) => r[0])).to.deep.equal(c.kept);
      expect(t.count).to.equal(c.rows);
      expect(t.complete).to.equal(c.stride === 1);
    });
  }

  it('several rows of one sample (per-pod rows) are kept or left out together', () => {
    const t = new TimeSeries(['t_s', 'pod'], 2);
    for (let s = 0; s < 4; s++) for (let pod = 0; pod < 3; pod++) t.append([s, pod], s);
    expect(t.rows).to.deep.equal([
      [0, 0],
      [0, 1],
      [0, 2],
      [2, 0],
      [2, 1],
      [2, 2],
    ]);
  });
});
