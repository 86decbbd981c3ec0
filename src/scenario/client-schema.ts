import { z } from 'zod';

/**
 * The callers' retry policy beyond today's retries and backoffMs (workload.client): which answers are
 * retried, the backoff's jitter and cap. Every field is optional, and absent the callers behave as they
 * did before it existed (they retry timeouts, refusals and lost attempts, with exact backoffs).
 */
export const CLIENT_RETRY_ON = ['timeout', 'refused', 'lost', 'error', 'shed'] as const;
export type ClientRetryOn = (typeof CLIENT_RETRY_ON)[number];
/** What the callers retry when retryOn is absent (the behaviour before the policy existed). */
export const DEFAULT_CLIENT_RETRY_ON: readonly ClientRetryOn[] = ['timeout', 'refused', 'lost'];

export const CLIENT_RETRY_POLICY = {
  retryOn: z
    .array(z.enum(CLIENT_RETRY_ON))
    .min(1)
    .optional()
    .describe(
      'which failed attempts are retried: timeout (no answer in timeoutMs), refused (no Ready pod, a full accept ' +
        'queue), lost (its pod was killed), error (a 500: a call of the request failed), shed (a 503 from the ' +
        'limiter); absent = [timeout, refused, lost]',
    ),
  jitter: z
    .enum(['none', 'full', 'equal'])
    .optional()
    .describe(
      'the backoff b before a retry: none = exactly b | full = uniform in [0, b] | equal = b/2 + uniform in ' +
        '[0, b/2] (AWS "Exponential Backoff and Jitter"); drawn per (request, attempt); absent = none',
    ),
  maxBackoffMs: z.number().positive().optional().describe('the longest backoff before a retry, ms; absent = no cap'),
};
