import { expect } from 'chai';
import { CONN_DIAL, CONN_IDLE, CONN_WAIT, ConnPool, resolveMaxIdle } from '../../src/service/pool.js';

/** database/sql's conn()/putConn rules and net/http Transport's per-host limits (sql.go, transport.go). */
const sql = (maxOpen: number, maxIdle?: number, lifeNs = 0) =>
  new ConnPool({
    style: 'database/sql',
    maxOpen,
    maxIdle: resolveMaxIdle('database/sql', maxIdle, maxOpen),
    maxLifetimeNs: lifeNs,
  });

describe('service/pool: database/sql and net/http pools', () => {
  it('opens connections up to MaxOpenConns, then callers wait (waitCount)', () => {
    const p = sql(2);
    expect(p.conn(0, 1)).to.equal(CONN_DIAL);
    expect(p.conn(0, 2)).to.equal(CONN_DIAL);
    expect(p.conn(0, 3)).to.equal(CONN_WAIT);
    expect([p.numOpen, p.inUse, p.waiting, p.waitCount]).to.deep.equal([2, 2, 1, 1]);
  });
  it('putConn hands the connection to the first waiter (FIFO) and adds its wait to WaitDuration', () => {
    const p = sql(1);
    p.conn(0, 1);
    p.conn(10, 2);
    p.conn(20, 3);
    expect(p.putConn(100, 0)).to.equal(2);
    expect(p.waitDurationNs).to.equal(90);
    expect(p.putConn(150, 0)).to.equal(3);
    expect(p.waitDurationNs).to.equal(90 + 130);
    expect(p.putConn(200, 0)).to.equal(-1);
    expect([p.numOpen, p.inUse, p.idle]).to.deep.equal([1, 0, 1]);
  });
  it('keeps at most maxIdleConnsLocked() free (default 2), closing the rest (maxIdleClosed)', () => {
    const p = sql(0);
    for (let i = 0; i < 4; i++) p.conn(0, i);
    for (let i = 0; i < 4; i++) p.putConn(1, 0);
    expect([p.numOpen, p.idle, p.maxIdleClosed]).to.deep.equal([2, 2, 2]);
  });
  it('SetMaxIdleConns(0) keeps none; maxIdle is clamped to maxOpen', () => {
    const p = sql(0, 0);
    p.conn(0, 1);
    p.putConn(1, 0);
    expect([p.numOpen, p.idle]).to.deep.equal([0, 0]);
    expect(resolveMaxIdle('database/sql', 10, 4)).to.equal(4);
    expect(resolveMaxIdle('net/http', undefined, 0)).to.equal(2);
  });
  it('reuses the most recently returned free connection (freeConn[last])', () => {
    const p = sql(0, 5);
    p.conn(0, 1);
    p.conn(0, 2);
    p.putConn(5, 100); // created at 100
    p.putConn(6, 200); // created at 200, returned last
    expect(p.conn(7, 3)).to.equal(CONN_IDLE);
    expect(p.takenCreatedNs).to.equal(200);
  });
  it('closes a free connection older than ConnMaxLifetime instead of reusing it (maxLifetimeClosed)', () => {
    const p = sql(0, 5, 1000);
    p.conn(0, 1);
    p.putConn(10, 0);
    expect(p.conn(1000, 2)).to.equal(CONN_DIAL);
    expect([p.maxLifetimeClosed, p.numOpen]).to.deep.equal([1, 1]);
  });
  it('a closed connection frees a slot: maybeOpenNewConnections dials for the first waiter', () => {
    const p = sql(1);
    p.conn(0, 1);
    p.conn(0, 2);
    p.closeConn();
    expect(p.maybeOpenNewConnection(5)).to.equal(2);
    expect([p.numOpen, p.inUse, p.waiting, p.dials]).to.deep.equal([1, 1, 0, 2]);
    expect(p.maybeOpenNewConnection(5)).to.equal(-1);
  });
  it('a waiter whose context ends leaves the queue; its wait still counts', () => {
    const p = sql(1);
    p.conn(0, 1);
    p.conn(0, 2);
    p.conn(0, 3);
    p.cancelWait(50, 2);
    expect(p.waiting).to.equal(1);
    expect(p.waitDurationNs).to.equal(50);
    expect(p.putConn(60, 0)).to.equal(3);
  });
  it('net/http: MaxConnsPerHost bounds connections; MaxIdleConnsPerHost is not clamped', () => {
    const p = new ConnPool({
      style: 'net/http',
      maxOpen: 1,
      maxIdle: resolveMaxIdle('net/http', 4, 1),
      maxLifetimeNs: 0,
    });
    expect(p.conn(0, 1)).to.equal(CONN_DIAL);
    expect(p.conn(0, 2)).to.equal(CONN_WAIT);
    expect(p.putConn(1, 0)).to.equal(2);
  });
});
