"""M/M/c in SimPy 2 (Debian's python3-simpy, the SimPy 2.3 API): the peer baseline for gmpsim's engine.

Usage: /usr/bin/python3 bench/simpy_mmc.py LAMBDA MU C CUSTOMERS SEED
Prints one JSON line: customers served, mean wait in queue (s), wall seconds.
The model is the textbook one: a Source process makes Customers at exponential gaps; each requests
one unit of a Resource with C units, holds it for an exponential service time, and releases it.
"""
import json
import random
import sys
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate


class Customer(Process):
    def visit(self, server, mu, stats):
        arrive = now()
        yield request, self, server
        stats[0] += now() - arrive
        stats[1] += 1
        yield hold, self, stats[2].expovariate(mu)
        yield release, self, server


class Source(Process):
    def generate(self, n, lam, mu, server, stats):
        rng = stats[2]
        for _ in range(n):
            c = Customer()
            activate(c, c.visit(server, mu, stats))
            yield hold, self, rng.expovariate(lam)


def main():
    lam, mu, c, n, seed = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    stats = [0.0, 0, random.Random(seed)]
    t0 = time.perf_counter()
    initialize()
    server = Resource(capacity=c)
    src = Source()
    activate(src, src.generate(n, lam, mu, server, stats))
    simulate(until=1e12)
    wall = time.perf_counter() - t0
    print(json.dumps({"customers": stats[1], "meanWaitS": stats[0] / stats[1], "wallS": wall}))


if __name__ == "__main__":
    main()
