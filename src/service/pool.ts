/**
 * One pod's connection pool to one dependency, in the two shapes Go's libraries give it. Times are ns.
 *
 * database/sql (sql.go, Go 1.19): `conn()` takes the most recently returned free connection
 * (freeConn[last]: "reuse the lowest idle time connection"), closing it instead when older than
 * ConnMaxLifetime (driver.ErrBadConn, and conn() tries again); with none free it opens one while
 * numOpen < MaxOpenConns (0: no limit), else the caller waits in connRequests (waitCount++, and the wait
 * adds to waitDuration). `putConn` hands a returned connection to a waiter first (putConnDBLocked), else
 * keeps it free up to maxIdleConnsLocked() (SetMaxIdleConns: default 2, never above MaxOpenConns), else
 * closes it (maxIdleClosed++). A bad connection is closed (numOpen--) and maybeOpenNewConnections opens
 * one for a waiter. Go 1.19 keeps connRequests in a map and serves an arbitrary waiter; this pool serves
 * them first come, first served (what a FIFO wait queue gives: the same mean wait, a narrower spread).
 *
 * net/http Transport (transport.go): per host, getConn takes the most recently used idle connection
 * (queueForIdleConn), else dials while connsPerHost < MaxConnsPerHost (0: no limit), else waits
 * (connsPerHostWait); tryPutIdleConn gives a returned connection to the oldest waiter, else keeps it idle
 * up to MaxIdleConnsPerHost (0 means DefaultMaxIdleConnsPerHost = 2), else closes it. No lifetime limit.
 *
 * A leaf: `conn` and `putConn` answer what to do (use, dial, wait; hand to whom); the owner dials, waits
 * and times. Waiters are caller ids (the owner's call numbers).
 */
export const CONN_IDLE = 0; // a free connection was taken
export const CONN_DIAL = 1; // no free connection: the caller opens one (numOpen already counts it)
export const CONN_WAIT = 2; // at the limit: the caller waits in the queue

export interface PoolSettings {
  style: 'database/sql' | 'net/http';
  /** MaxOpenConns / MaxConnsPerHost; 0 = unlimited. */
  maxOpen: number;
  /** Free connections kept (already resolved from the library's default and clamped to maxOpen). */
  maxIdle: number;
  /** ConnMaxLifetime, ns; 0 = forever (database/sql only). */
  maxLifetimeNs: number;
}

/** maxIdleConnsLocked / MaxIdleConnsPerHost: the library's default for an unset value, clamped to maxOpen. */
export function resolveMaxIdle(style: PoolSettings['style'], maxIdle: number | undefined, maxOpen: number): number {
  const n = maxIdle ?? 2; // defaultMaxIdleConns (sql.go), DefaultMaxIdleConnsPerHost (transport.go)
  return maxOpen > 0 && n > maxOpen && style === 'database/sql' ? maxOpen : n;
}

export class ConnPool {
  numOpen = 0;
  inUse = 0;
  /** Creation times of the free connections; the last one is the most recently returned. */
  private free: number[] = [];
  /** Waiting callers, first come first served: waiters[waitHead ..]. */
  private waiters: number[] = [];
  private waitStart: number[] = [];
  private waitHead = 0;
  // DBStats
  waitCount = 0;
  waitDurationNs = 0;
  maxIdleClosed = 0;
  maxLifetimeClosed = 0;
  dials = 0;

  constructor(readonly st: PoolSettings) {}

  get idle(): number {
    return this.free.length;
  }

  get waiting(): number {
    return this.waiters.length - this.waitHead;
  }

  /** Creation time of the connection `conn` returned CONN_IDLE with (valid until the next call). */
  takenCreatedNs = 0;

  /** conn(): a free connection (CONN_IDLE, created at takenCreatedNs), a dial (CONN_DIAL) or a wait (CONN_WAIT). */
  conn(now: number, caller: number): number {
    const life = this.st.maxLifetimeNs;
    while (this.free.length > 0) {
      const created = this.free.pop()!;
      if (life > 0 && created + life <= now) {
        // expired: close it (driver.ErrBadConn) and try again
        this.maxLifetimeClosed++;
        this.numOpen--;
        continue;
      }
      this.takenCreatedNs = created;
      this.inUse++;
      return CONN_IDLE;
    }
    if (this.st.maxOpen > 0 && this.numOpen >= this.st.maxOpen) {
      this.waiters.push(caller);
      this.waitStart.push(now);
      this.waitCount++;
      return CONN_WAIT;
    }
    this.numOpen++;
    this.inUse++;
    this.dials++;
    return CONN_DIAL;
  }

  /**
   * putConn: the caller is done with a connection created at `createdNs`. Returns the waiter it was
   * handed to (who now holds it, created at createdNs), or -1 (kept free or closed).
   */
  putConn(now: number, createdNs: number): number {
    this.inUse--;
    const life = this.st.maxLifetimeNs;
    if (this.waiting > 0) {
      if (life > 0 && createdNs + life <= now) {
        // The waiter would get an expired connection and close it: open a fresh one for it instead.
        this.maxLifetimeClosed++;
        this.numOpen--;
        return -1;
      }
      this.inUse++;
      return this.popWaiter(now);
    }
    if (this.free.length < this.st.maxIdle) this.free.push(createdNs);
    else {
      this.maxIdleClosed++;
      this.numOpen--;
    }
    return -1;
  }

  /** A connection in use is closed (bad, or its caller's context ended mid-call): numOpen--. */
  closeConn(): void {
    this.inUse--;
    this.numOpen--;
  }

  /** A dial failed or was abandoned before completing: the slot it held is released. */
  dialAbandoned(): void {
    this.inUse--;
    this.numOpen--;
  }

  /**
   * maybeOpenNewConnections: a slot is free and a caller waits — it gets a new connection (it must dial;
   * numOpen counts it). Returns that waiter, or -1. Call after closeConn/dialAbandoned/putConn until -1.
   */
  maybeOpenNewConnection(now: number): number {
    if (this.waiting === 0) return -1;
    if (this.st.maxOpen > 0 && this.numOpen >= this.st.maxOpen) return -1;
    this.numOpen++;
    this.inUse++;
    this.dials++;
    return this.popWaiter(now);
  }

  /** The caller's context ended while waiting: it leaves the queue (its wait still counts). */
  cancelWait(now: number, caller: number): void {
    for (let i = this.waitHead; i < this.waiters.length; i++) {
      if (this.waiters[i] !== caller) continue;
      this.waitDurationNs += now - this.waitStart[i]!;
      this.waiters.splice(i, 1);
      this.waitStart.splice(i, 1);
      return;
    }
  }

  /** Wait time so far including the callers still waiting, ns (DBStats.WaitDuration plus the open waits). */
  waitNsNow(now: number): number {
    let w = this.waitDurationNs;
    for (let i = this.waitHead; i < this.waitStart.length; i++) w += now - this.waitStart[i]!;
    return w;
  }

  private popWaiter(now: number): number {
    const c = this.waiters[this.waitHead]!;
    this.waitDurationNs += now - this.waitStart[this.waitHead]!;
    this.waitHead++;
    if (this.waitHead > 256 && this.waitHead * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.waitHead);
      this.waitStart = this.waitStart.slice(this.waitHead);
      this.waitHead = 0;
    }
    return c;
  }
}
