import { gopark } from './goroutines.js';
import { netpollready } from './poller.js';
import type { Sched } from './sched.js';
import { WAIT_IO } from './states.js';

/*
 * The runtime's side of a `call` op (issue 18): the G parks in netpoll, as on its TCP connection, while
 * the service's world (service/calls.ts) takes a connection from the pod's pool, waits at the dependency
 * and keeps the deadlines; when the call is over the world readies the G through netpollready. A failed
 * call fails the request, and the G's program ends there (the handler returns the error).
 */

/** Op.Call at pc: gp parks (WAIT_IO) and the pod's service starts compiled call `call`. */
export function callPark(s: Sched, pp: number, gp: number, pc: number, call: number): void {
  gopark(s, pp, gp, WAIT_IO);
  s.service!.call(gp, call, s.g.drawKey(gp), pc, rootRequest(s, gp));
}

/** The call of gp is over (ok or failed): gp becomes ready in the netpoller. */
export function callReady(s: Sched, gp: number, ok: boolean): void {
  if (!ok) {
    s.service!.failRequest(rootRequest(s, gp));
    s.g.pc[gp] = s.progs.endPc(s.g.prog[gp]!);
  }
  netpollready(s, gp);
}

/**
 * The request gp serves: its own, or its spawner's up the chain; -1 for none. (A child spawned without
 * waiting may outlive its spawner: its failure then reaches no request, not the G that took its slot.)
 */
function rootRequest(s: Sched, gp: number): number {
  const g = s.g;
  while (g.request[gp]! < 0) {
    const up = g.liveParent(gp);
    if (up < 0) break;
    gp = up;
  }
  return g.request[gp]!;
}
