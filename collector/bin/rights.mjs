#!/usr/bin/env node
// `npm run rights -- <access|erase|receipt> --site S (--anonymous-id ID | --receipt ID) [--url URL] [--json]`, or
// `npm run rights -- archive [--url URL]`:
// handles a visitor's request that arrived by e-mail, through the Worker's /v1/admin/rights routes (docs/rights.md).
import { parseArgs } from 'node:util';

const usage = `Usage: npm run rights -- <access|erase|receipt> --site SITE [options]
       npm run rights -- archive

  access    What the collector keeps under the visitor's pseudonym (JSON, as the visitor's browser would see it).
  erase     Erases it: database and insights rows at once, the archive by the next hourly cron run.
            Prints the receipt; keep its id for the reply to the visitor.
  receipt   The state of an erasure, by its receipt id.
  archive   Runs the hourly cron's archive step now: every erasure requested at least a minute ago is finished.

Options:
  --site S           the site key (collector/sites.json)
  --anonymous-id ID  the id the visitor read on the store's privacy page (access, erase)
  --receipt ID       the receipt id (receipt)
  --url URL          the collector's origin (default: $PATHMARK_URL or http://localhost:8787)
  --json             print the answer as JSON only

The ADMIN_TOKEN secret goes in $PATHMARK_ADMIN_TOKEN; wrangler dev on localhost needs none.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    site: { type: 'string' },
    'anonymous-id': { type: 'string' },
    receipt: { type: 'string' },
    url: { type: 'string', default: process.env.PATHMARK_URL ?? 'http://localhost:8787' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const command = positionals[0];
const needs = command === 'archive' ? true : command === 'receipt' ? values.receipt : values['anonymous-id'];
if (
  values.help ||
  !['access', 'erase', 'receipt', 'archive'].includes(command) ||
  !(values.site || command === 'archive') ||
  !needs
) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}

const site = encodeURIComponent(values.site ?? '');
const headers = {
  'Content-Type': 'application/json',
  ...(process.env.PATHMARK_ADMIN_TOKEN ? { Authorization: `Bearer ${process.env.PATHMARK_ADMIN_TOKEN}` } : {}),
};
const url =
  command === 'archive'
    ? new URL('/v1/admin/rights/archive', values.url)
    : command === 'receipt'
      ? new URL(`/v1/rights/${site}/receipts/${encodeURIComponent(values.receipt)}`, values.url)
      : new URL(`/v1/admin/rights/${site}/${command}`, values.url);

try {
  const response = await fetch(url, {
    method: command === 'receipt' ? 'GET' : 'POST',
    headers,
    body: command === 'receipt' || command === 'archive' ? undefined : JSON.stringify({ anonymous_id: values['anonymous-id'] }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url.pathname} answered ${response.status}: ${text.slice(0, 500)}`);
  const answer = JSON.parse(text);
  if (values.json) console.log(JSON.stringify(answer, null, 2));
  else if (command === 'archive') console.log(`${answer.advanced} open erasures taken forward.`);
  else if (command === 'access') {
    console.log(
      answer.kept === 'nothing'
        ? `Nothing kept: ${answer.reason}`
        : `${answer.records.length}${answer.truncated ? '+ (truncated)' : ''} records kept for this visitor on site ${answer.site}.`,
    );
    if (answer.erasure) console.log(`Erasure requested ${answer.erasure.requested_at}: ${answer.erasure.status}.`);
    console.log('Full answer (send it to the visitor): npm run rights -- access … --json');
  } else {
    const steps = Object.entries(answer.steps)
      .map(([step, state]) => `${step} ${state}`)
      .join(', ');
    console.log(`Receipt ${answer.receipt_id} (${answer.status}): ${steps}. Check: ${new URL(answer.check, values.url)}`);
  }
} catch (error) {
  console.error(`rights: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
