/**
 * Bindings and variables of the Worker. Those in the root wrangler.toml are generated from it by `wrangler types`
 * into `Cloudflare.Env` (collector/worker-configuration.d.ts: regenerate with `npm run types:worker`; `npm test` fails
 * when it is out of date). The queues carry serialized JSON: a QueueMessage (core/queue-message.ts) on the events and sink
 * queues, DeadLetter (dead-letters.ts) on the dead-letter queue. Added here: the secrets, which wrangler.toml does not
 * list (`wrangler secret put`, or `.dev.vars` locally).
 */
declare global {
  namespace Cloudflare {
    interface Env {
      /** Secret that signs webhook bodies (HMAC-SHA256). Required when FORWARD_URL is set. */
      WEBHOOK_SECRET?: string;
      /** Base of the consumers' retry backoff in seconds (default 10). */
      RETRY_BASE_SECONDS?: string;
      /** Seconds an erasure waits before the archive job takes it (default 60; tests shorten it). docs/rights.md. */
      RIGHTS_ARCHIVE_SETTLE_SECONDS?: string;
      /** Bearer token for /v1/admin/* (dead letters); without it those routes answer only on a loopback host. */
      ADMIN_TOKEN?: string;
      /** Bearer token (or `pathmark_insights` cookie) for /v1/insights/* and /insights; without it they answer only on a loopback host. */
      INSIGHTS_TOKEN?: string;
      /** Per-site pseudonymization secrets are read as `PSEUDONYM_KEY_<SITE>` (see keys.ts). */
      [secret: `PSEUDONYM_KEY_${string}`]: string | undefined;
    }
  }
}

export type Env = Cloudflare.Env;
