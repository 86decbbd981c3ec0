import { expect } from 'chai';
import { GTable } from '../../src/runtime/gmp/gtable.js';

/**
 * Where a G's random draws come from (GTable.drawKey): a root G reads its request's key from the request
 * table, not a copy of its own (4 bytes per parked G saved); a child G (newproc) keeps its own key.
 */
describe('GTable draw keys', () => {
  const cases: { name: string; request: number; childKey?: number; want: number }[] = [
    { name: "a root G (request 1) reads its request's key from the request table", request: 1, want: 222 },
    { name: 'a child G (no request) reads the key newproc gave it', request: -1, childKey: -7, want: -7 },
    {
      name: 'a G recycled from child to root reads the request table, not its old child key',
      request: 0,
      childKey: 5,
      want: 111,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const g = new GTable(4);
      g.requestKeys = { drawKey: Int32Array.of(111, 222) };
      const gp = g.add();
      g.request[gp] = -1;
      if (c.childKey !== undefined) g.setChild(gp, c.childKey);
      g.request[gp] = c.request;
      expect(g.drawKey(gp)).to.equal(c.want);
    });
  }

  it("the request table may grow (a new array): a root G reads the table's current one", () => {
    const g = new GTable(4);
    const table = { drawKey: Int32Array.of(1) };
    g.requestKeys = table;
    const gp = g.add();
    g.request[gp] = 1;
    table.drawKey = Int32Array.of(1, 42);
    expect(g.drawKey(gp)).to.equal(42);
  });

  it('child keys survive the table growing, and new Gs beyond the old capacity get theirs', () => {
    const g = new GTable(2);
    const gs = Array.from({ length: 9 }, () => g.add());
    for (const gp of gs) g.request[gp] = -1;
    g.setChild(gs[0]!, 10);
    for (const gp of gs.slice(1)) g.setChild(gp, 10 + gp);
    for (let i = 0; i < 20; i++) g.add(); // grows twice more
    expect(gs.map((gp) => g.drawKey(gp))).to.deep.equal(gs.map((gp) => 10 + gp));
  });
});
