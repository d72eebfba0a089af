/**
 * What each field of a stored record is, in words a visitor can read. The access answer carries this table
 * (`AccessResponse.fields`) and docs/rights.md renders it; a test keeps the two and ForwardedRecord in step.
 */
export const RECORD_FIELDS: Readonly<Record<string, string>> = {
  event_id: 'Random id of the event, made by your browser; it lets the collector drop copies sent twice.',
  batch_id: 'Random id the collector gave the batch of events your browser sent together.',
  site: 'The shop the event was recorded for.',
  name: 'What happened: page_view, search, add_to_cart, purchase, …',
  consent: 'The consent mode the collector applied: "granted" for these records (you allowed analytics with an id).',
  received_at: 'When the collector received the event (milliseconds since 1970, UTC).',
  ts: "When the event happened, corrected for your device's clock (milliseconds since 1970, UTC).",
  client_ts: "When the event happened by your device's clock, as sent.",
  seq: 'Order of the event within your browsing session.',
  page_id: 'Random id of the page view the event belongs to.',
  url: 'Address of the page, without fragment, credentials or query parameters the shop does not allow; personal data replaced by markers such as [email].',
  path: 'The path of that address.',
  page_type:
    "The kind of page (home, category, product, search, cart, checkout, confirmation), from the shop's patterns for its paths; empty when none matches.",
  title: 'Title of the page, with personal data replaced by markers.',
  referrer: 'The previous page on the same shop, or only the origin of another site you came from.',
  props:
    'Details of the event (search term, product, price, scroll depth, timing…), with personal data removed or replaced by markers.',
  visitor_id:
    "Pseudonym of your browser: a keyed hash (HMAC) of the random id your browser holds, under the shop's secret key. It cannot be turned back into that id.",
  session_id: 'Pseudonym of your browsing session, made the same way from the random session id.',
  'geo.country': 'Country of your connection (from the network, not GPS); your IP address is never stored.',
  'geo.region': 'Region of your connection, when known.',
  'ua.browser': 'Browser family, reduced from your user agent (the full user agent is never stored).',
  'ua.browser_major': 'Major version of the browser.',
  'ua.os': 'Operating system family.',
  'ua.device': 'desktop, mobile, tablet or other.',
  sdk: 'Version of the Pathmark script that sent the event.',
  'audit.policy_version': "Version of the shop's privacy policy settings the collector enforced when it stored the record.",
  'audit.salt_id': 'Always null for these records (only anonymous-mode records use a daily salt).',
  'audit.key_id': "Which of the shop's keys made the pseudonyms (a short hash of it, not the key).",
  'audit.redactions': 'How many values were replaced by a marker because they looked like personal data.',
  'audit.removed': 'Fields the collector removed before storing, e.g. anonymous_id (your raw id is never stored) or props.email.',
};

/** The table as Markdown rows (`| field | meaning |`), as docs/rights.md shows it. */
export function recordFieldsMarkdown(): string {
  return [
    '| Field | What it is |',
    '| --- | --- |',
    ...Object.entries(RECORD_FIELDS).map(([name, meaning]) => `| \`${name}\` | ${meaning} |`),
  ].join('\n');
}
