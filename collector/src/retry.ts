/**
 * How the queue consumers retry. Every queue's own settings are in wrangler.toml; what
 * is decided here is the backoff of each retried message and when a consumer gives up on
 * one and dead-letters it itself, with the sink, the attempts and the last error
 * (Cloudflare's own move to a dead-letter queue keeps only the body). wrangler.toml's
 * `max_retries` is set above MAX_ATTEMPTS, as a backstop for messages whose consumer
 * never answered (it crashed or ran out of time).
 */

/** Delivery attempts on one queue before the consumer dead-letters a message: the first and 5 retries. */
export const MAX_ATTEMPTS = 6;
export const DEFAULT_RETRY_BASE_SECONDS = 10;
/** Cap of a sink's backoff. */
export const MAX_DELAY_SECONDS = 15 * 60;

/**
 * Delay before attempt `attempts + 1`: base, 2×base, 4×base … capped at `capSeconds`.
 * With the default base: 10, 20, 40, 80, 160 s, so a sink gets about 5 minutes to recover.
 */
export function retryDelaySeconds(attempts: number, baseSeconds: number, capSeconds = MAX_DELAY_SECONDS): number {
  return Math.min(capSeconds, Math.round(baseSeconds * 2 ** Math.max(0, attempts - 1)));
}

/** RETRY_BASE_SECONDS as a number, or null when it is set to something that is not one ≥ 0. */
export function parseRetryBase(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return DEFAULT_RETRY_BASE_SECONDS;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

export const retryBaseSeconds = (value: string | undefined): number => parseRetryBase(value) ?? DEFAULT_RETRY_BASE_SECONDS;

/** An error as one line for a log or a dead letter. */
export function errorText(error: unknown, maxLength = 500): string {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
