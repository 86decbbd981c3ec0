import { z } from 'zod';
import type { DurationDistSchema as DistSchema } from './schema.js';

/**
 * The service's world (issue 18): the dependencies the steps call (`call: {dependency: db}`), each pod's
 * connection pool and circuit breaker towards each, the per-request deadline and the pod's load shedder.
 * Everything here is off by default: no dependencies, no deadline, no limiter.
 */

const count = (what: string) => z.number().int().min(0).max(1_000_000).describe(what);

/**
 * The blocks' schemas, built by schema.ts with its duration distribution (a function, so this file needs
 * only its type and the two modules do not import each other at load).
 */
export function serviceSchemas(DurationDistSchema: typeof DistSchema) {
  const ConnectMsSchema = DurationDistSchema.default({ dist: 'constant', valueMs: 1 }).describe(
    'setting up a new connection (TCP dial + TLS handshake, or the database login), ms: paid by the call that opens it',
  );

  const PoolSchema = z
    .discriminatedUnion('style', [
      z.strictObject({
        style: z.literal('database/sql'),
        maxOpenConns: count(
          "SetMaxOpenConns: connections open at most (in use + idle); 0 = unlimited (Go's default)",
        ).default(0),
        maxIdleConns: count(
          "SetMaxIdleConns: free connections kept for reuse (Go's default 2; never more than maxOpenConns; 0 = none)",
        ).optional(),
        connMaxLifetimeS: z
          .number()
          .nonnegative()
          .default(0)
          .describe('SetConnMaxLifetime: a connection older than this is closed instead of reused, s; 0 = forever'),
        connectMs: ConnectMsSchema,
      }),
      z.strictObject({
        style: z.literal('net/http'),
        maxConnsPerHost: count(
          "Transport.MaxConnsPerHost: connections (dialing, in use, idle) at most; 0 = unlimited (Go's default)",
        ).default(0),
        maxIdleConnsPerHost: count(
          "Transport.MaxIdleConnsPerHost: idle connections kept (Go's default 2 = DefaultMaxIdleConnsPerHost)",
        ).optional(),
        connectMs: ConnectMsSchema,
      }),
    ])
    .describe("each pod's connection pool to the dependency: database/sql's DB or net/http's Transport");

  const BreakerSchema = z
    .strictObject({
      maxRequests: count(
        'MaxRequests: calls let through while half-open; as many successes in a row close it (0 means 1)',
      ).default(1),
      intervalS: z
        .number()
        .nonnegative()
        .default(0)
        .describe('Interval: while closed, the failure counts are cleared this often, s; 0 = never'),
      timeoutS: z
        .number()
        .nonnegative()
        .default(60)
        .describe('Timeout: how long the breaker stays open before going half-open, s (0 means 60, as gobreaker)'),
      consecutiveFailures: count(
        "ReadyToTrip: the breaker opens when consecutive failures exceed this (gobreaker's default 5)",
      ).default(5),
    })
    .describe(
      'a circuit breaker per pod in front of the dependency (sony/gobreaker): open = calls fail at once without ' +
        'reaching it',
    );

  const DependencySchema = z.strictObject({
    latency: DurationDistSchema.default({ dist: 'exponential', meanMs: 5 }).describe(
      'service time of one call at the dependency once it starts it, ms',
    ),
    concurrency: count(
      'calls the dependency serves at once (its worker threads, its max_connections); more wait in its queue; 0 = ' +
        'unlimited',
    ).default(0),
    queueLimit: count(
      'calls waiting at the dependency at most; a call arriving beyond is refused at once (an error)',
    ).default(1000),
    errorRate: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('share of the calls the dependency answers with an error (after its latency)'),
    pool: PoolSchema.default({
      style: 'database/sql',
      maxOpenConns: 0,
      connMaxLifetimeS: 0,
      connectMs: { dist: 'constant', valueMs: 1 },
    }),
    breaker: BreakerSchema.optional(),
  });

  const DependenciesSchema = z
    .record(
      z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a name of letters, digits and "_", starting with a letter'),
      DependencySchema.prefault({}),
    )
    .default({})
    .describe(
      'downstream dependencies the `call` steps name, shared by every pod of the fleet (a database, a cache, a ' +
        'service)',
    );

  const CallSchema = z
    .strictObject({
      dependency: z.string().min(1).describe('a dependency declared in `dependencies`'),
      timeoutMs: z
        .number()
        .positive()
        .optional()
        .describe(
          "the call's context deadline (context.WithTimeout), ms: the G stops waiting and the call fails; the " +
            "dependency keeps working on it. Absent = only the request's deadline",
        ),
      retries: z
        .number()
        .int()
        .min(0)
        .max(10)
        .default(0)
        .describe(
          'calls again after an error or a timeout, at most this many times (each retry is a new call: a connection, ' +
            'a place at the dependency)',
        ),
      backoffMs: z
        .number()
        .nonnegative()
        .default(10)
        .describe('before retry k wait backoffMs × 2^(k−1), ms (capped by maxBackoffMs)'),
      maxBackoffMs: z.number().nonnegative().default(1000).describe('the longest wait before a retry, ms'),
      jitter: z
        .enum(['full', 'none'])
        .default('full')
        .describe('full: each wait is drawn uniformly from [0, backoff] ("full jitter"); none: exactly the backoff'),
    })
    .describe("call a dependency through the pod's pool: the G parks in netpoll, as a TCP call does");

  const LimiterSchema = z
    .discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('fixed'),
        limit: z
          .number()
          .int()
          .min(1)
          .max(1_000_000)
          .describe('requests in flight in the pod at most; more are answered 503 at once'),
      }),
      z
        .strictObject({
          type: z.literal('aimd'),
          initialLimit: z.number().int().min(1).default(20).describe('the limit at start'),
          minLimit: z.number().int().min(1).default(20).describe('the limit never goes below this'),
          maxLimit: z.number().int().min(1).default(200).describe('the limit never goes above this'),
          backoffRatio: z
            .number()
            .min(0.5)
            .max(1)
            .default(0.9)
            .describe('on a failed or slow request the limit is multiplied by this'),
          timeoutMs: z.number().positive().default(5000).describe('a request slower than this counts as a drop, ms'),
        })
        .refine((l) => l.minLimit <= l.maxLimit, { message: 'expected minLimit ≤ maxLimit', path: ['maxLimit'] }),
    ])
    .describe(
      'a concurrency limiter per pod (Netflix concurrency-limits): fixed, or adaptive AIMD (AIMDLimit); shed ' +
        'requests answer 503 at once',
    );

  const ServiceSchema = z
    .strictObject({
      requestTimeoutMs: z
        .number()
        .positive()
        .optional()
        .describe(
          "each request's context deadline (http.TimeoutHandler, context.WithTimeout in the handler), ms: a call " +
            'still waiting then fails, and so does the request; absent = none',
        ),
      limiter: LimiterSchema.optional(),
    })
    .describe('the request handler: its context deadline and its load shedder (both off by default)');
  return { DependenciesSchema, CallSchema, ServiceSchema };
}

type Schemas = ReturnType<typeof serviceSchemas>;
/** A `call` step's body. */
export type CallSpec = z.infer<Schemas['CallSchema']>;
/** The `dependencies` block: name → dependency. */
export type Dependencies = z.infer<Schemas['DependenciesSchema']>;
export type DependencySpec = Dependencies[string];
export type Pool = DependencySpec['pool'];
/** The `service` block. */
export type ServiceSpec = z.infer<Schemas['ServiceSchema']>;
export type LimiterSpecInput = NonNullable<ServiceSpec['limiter']>;
