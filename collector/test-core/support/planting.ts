import fc from 'fast-check';
import { isbot } from 'isbot';
import type { Batch, JsonValue, PathmarkEvent } from '#protocol';
import type { SitePolicy } from '../../src/core/policy.ts';
import sites from '../../sites.json';
import { FORMS, between, formName, personalRecord, secret, surrounding, asNumber, type FormName } from './pii.ts';
import { basePolicy, makeBatch, makeEvent } from './pipeline.ts';

/** Personal data planted in every place a batch can hold it, for the privacy property tests (pipeline and whole Worker). */

export const RAW_ANONYMOUS_ID = 'device-id-that-must-not-leave';
/** The pipeline tests use the demo site's keys and query allowlist, like the Worker tests. */
export const shopPolicy: SitePolicy = {
  ...basePolicy,
  query_params: sites.sites.demo.query_params,
  redact_keys: sites.sites.demo.redact_keys,
};

export interface Planting {
  /** The secret as sent in slot `i`: in one of its forms, with text around it. */
  text: (slot: number) => string;
  /** The secret as a JSON number, when it is a number (phone, card) that may be sent as one. */
  number: number | null;
  /** Names and addresses, under the keys that name them. */
  person: {
    firstName: string;
    lastName: string;
    fullName: string;
    street: string;
    streetAddress: string;
    zipCode: string;
    birthday: string;
  };
}

/** A URL with the planted text percent-encoded once more in each part (forms are ≤ 300 characters, so it stays within 2,048). */
const inUrl = (text: string, build: (part: string) => string) => build(encodeURIComponent(text));

/**
 * A batch with the secret planted in every place a value can sit: path segments (encoded
 * and raw), kept and dropped query values, fragment, title, same-site and external
 * referrers, previous_path, search term, every item field, transaction id, custom props
 * at every depth, a property key, URLs inside props (query, fragment, credentials, path),
 * URLs inside text, numbers (plain and under a phone key), and names and addresses under
 * near-miss keys.
 */
export function batchWith(plant: Planting, origin: string, site: string): Batch {
  let slot = 0;
  const s = () => plant.text(slot++);
  const base = { title: s(), anonymous_id: RAW_ANONYMOUS_ID };
  const pageUrl = (build: (part: string) => string) => ({ ...base, url: inUrl(s(), build) });
  const rawSegment = s();
  const item = () => ({
    item_id: s(),
    item_name: s(),
    item_brand: s(),
    item_category: s(),
    item_variant: s(),
    item_list_name: s(),
    price: 3,
    quantity: 1,
  });
  const searchId = crypto.randomUUID();
  const number = plant.number;
  const key = `k ${s()}`;
  const customProps: { [key: string]: JsonValue } = {
    note: s(),
    ...(key.length <= 128 ? { [key]: 'v' } : {}),
    nested: { list: [s(), 1], deep: { text: s() } },
    share: inUrl(s(), (part) => `${origin}/p/x?q=${part}&email=${part}`),
    link: inUrl(s(), (part) => `${origin}/p/${part}#${part}`),
    login: inUrl(s(), (part) => `https://user:${part}@partner.example/x`),
    href: `see ${inUrl(s(), (part) => `https://partner.example/x?q=${part}`)}, thanks`,
    ...(number !== null ? { amount_ref: number, mobile: number, deep: { phone_no: number } } : {}),
  };
  const { person } = plant;
  const personalProps: { [key: string]: JsonValue } = {
    firstName: person.firstName,
    full_name: person.fullName,
    fullName: person.fullName,
    contact_name: person.fullName,
    recipient: person.fullName,
    billing_address: { street: person.street, line: person.streetAddress, zip: person.zipCode },
    shipping_address: person.streetAddress,
    addressLine1: person.streetAddress,
    street: person.street,
    emailAddress: s(),
    customer: { lastName: person.lastName, dateOfBirth: person.birthday, PostalCode: person.zipCode },
  };
  const events: PathmarkEvent[] = [
    makeEvent({
      ...pageUrl((part) => `${origin}/p/${part}/x?q=${part}`),
      name: 'page_view',
      props: { navigation: 'load', page_index: 1 },
    }),
    makeEvent({
      ...pageUrl((part) => `${origin}/p/x?search=${part}&other=${part}`),
      name: 'page_view',
      props: { navigation: 'load', page_index: 1 },
    }),
    makeEvent({
      ...pageUrl((part) => `${origin}/p/x?utm_campaign=${part}#${part}`),
      name: 'page_view',
      props: { navigation: 'load', page_index: 1 },
    }),
    makeEvent({
      ...base,
      url: /^[^/?#\\%]*$/.test(rawSegment) ? `${origin}/p/${rawSegment}` : `${origin}/p/raw`,
      name: 'page_view',
      referrer: inUrl(s(), (part) => `${origin}/search?q=${part}&email=${part}`),
      props: { navigation: 'push', page_index: 2, previous_path: inUrl(s(), (part) => `/p/${part}?q=${part}`) },
    }),
    makeEvent({
      ...base,
      url: `${origin}/`,
      name: 'page_view',
      referrer: inUrl(s(), (part) => `https://mail.example/inbox/${part}?u=${part}`),
      props: { navigation: 'load', page_index: 1 },
    }),
    makeEvent({
      ...base,
      url: `${origin}/`,
      name: 'page_view',
      referrer: inUrl(s(), (part) => `${origin}/x?token=${part}#${part}`),
      props: { navigation: 'push', page_index: 3, previous_path: inUrl(s(), (part) => `/p/x?token=${part}#${part}`) },
    }),
    makeEvent({
      ...base,
      url: `${origin}/search`,
      name: 'search',
      props: { search_term: s(), search_id: searchId, source: 'form' },
    }),
    makeEvent({
      ...base,
      url: `${origin}/search`,
      name: 'add_to_cart',
      props: { items: [item()], value: 3, currency: 'EUR', search_id: searchId },
    }),
    makeEvent({
      ...base,
      url: `${origin}/checkout`,
      name: 'purchase',
      props: { items: [item()], transaction_id: s(), value: 3, currency: 'EUR', search_id: searchId },
    }),
    makeEvent({ ...base, url: `${origin}/`, name: 'note_added', props: customProps }),
    makeEvent({ ...base, url: `${origin}/account`, name: 'profile_saved', props: personalProps }),
  ];
  const sdk = `pathmark-js/0.1.0 ${s()}`;
  return makeBatch(events, { site, consent: 'granted', ...(sdk.length <= 64 ? { sdk } : {}) });
}

export const planting: fc.Arbitrary<{ label: string; value: string; plant: Planting }> = fc
  .record({
    secret,
    form: formName,
    around: fc.array(fc.tuple(surrounding, surrounding), { minLength: 60, maxLength: 60 }),
    person: personalRecord,
  })
  .map(({ secret: { kind, value }, form, around, person }) => {
    // Forms that grow a long value past what a batch may hold fall back to the value as sent.
    const formed = FORMS[form](value).length <= 300 ? FORMS[form](value) : value;
    const usedForm: FormName = formed === value ? 'plain' : form;
    return {
      label: `${kind} as ${usedForm}`,
      value,
      plant: { text: (i: number) => between(around[i]![0], formed, around[i]![1]), number: asNumber(value), person },
    };
  });

/** Names and addresses long enough to be told apart from other text in a message (a 2-letter name is in "Linux"). */
export const personNeedles = (person: Planting['person']) =>
  [person.fullName, person.streetAddress].filter((text) => text.length >= 8);

export const browserWith = (marker: string) =>
  `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Pm${marker}/1`;
/** A marker to find the user agent by; never one isbot takes for a crawler's (`…feed…`, `…bot…`), whose events are dropped. */
export const uaMarker = fc.stringMatching(/^[a-z]{12}$/).filter((marker) => !isbot(browserWith(marker)));

export function leaks(haystacks: string[], needleList: string[]): string[] {
  return needleList.filter((needle) => haystacks.some((text) => text.includes(needle)));
}
