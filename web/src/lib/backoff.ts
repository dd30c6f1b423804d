// Reconnect delays: exponential backoff with "full jitter" (a uniformly random
// delay between 0 and the capped exponential), so that many clients dropped at
// the same moment do not all come back at the same moment.

export type BackoffOptions = {
  baseMs?: number;
  factor?: number;
  maxMs?: number;
};

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 500, factor: 2, maxMs: 30_000 };

/** The upper bound of the delay before retry number `attempt` (0-based). */
export function backoffCap(attempt: number, opts: BackoffOptions = {}): number {
  const { baseMs, factor, maxMs } = { ...DEFAULT_BACKOFF, ...opts };
  const n = Math.max(0, Math.floor(attempt));
  // Math.min before the power would overflow to Infinity for large attempts; both are fine.
  return Math.min(maxMs, baseMs * Math.pow(factor, n));
}

/** A delay in [0, cap) for retry number `attempt`; `random` is injectable for tests. */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const cap = backoffCap(attempt, opts);
  const r = Math.min(Math.max(random(), 0), 0.999_999);
  return Math.floor(r * cap);
}
