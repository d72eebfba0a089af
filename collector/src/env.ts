/** Bindings and variables of the Worker, as configured in the root wrangler.toml. */
export interface Env {
  /** Carries serialized QueueMessageBody JSON (see record.ts); its consumer fans out to the sink queues. */
  EVENTS_QUEUE: Queue<string>;
  /** One queue per sink, same messages as EVENTS_QUEUE: each sink retries and dead-letters on its own. */
  SINK_QUEUE_R2: Queue<string>;
  SINK_QUEUE_D1: Queue<string>;
  SINK_QUEUE_WEBHOOK: Queue<string>;
  /** Carries serialized DeadLetter JSON (see dead-letters.ts); its consumer archives them to R2. */
  DEAD_LETTER_QUEUE: Queue<string>;
  DB: D1Database;
  ARCHIVE: R2Bucket;
  RATE_LIMITER: RateLimit;
  ASSETS: Fetcher;
  /** "1" enables /inspector and /v1/inspect. */
  PATHMARK_INSPECTOR?: string;
  /** Webhook sink URL; empty = off. */
  FORWARD_URL?: string;
  /** Secret that signs webhook bodies (HMAC-SHA256). Required when FORWARD_URL is set. */
  WEBHOOK_SECRET?: string;
  /** Comma-separated origins allowed for every site (local runs on another port). */
  DEV_ALLOWED_ORIGINS?: string;
  /** Base of the consumers' retry backoff in seconds (default 10). */
  RETRY_BASE_SECONDS?: string;
  /** Bearer token for /v1/admin/* (dead letters); without it those routes answer only on a loopback host. */
  ADMIN_TOKEN?: string;
  /** Per-site pseudonymization secrets are read as `PSEUDONYM_KEY_<SITE>` (see keys.ts). */
  [secret: `PSEUDONYM_KEY_${string}`]: string | undefined;
}
