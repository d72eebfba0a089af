import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { installWebhookReceiver } from './webhook-receiver.ts';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
installWebhookReceiver();
