/**
 * Which property keys name personal data, for removing them at any depth. Keys are
 * compared as words, whatever the case and separators (`firstName`, `first_name`,
 * `FIRST-NAME` and `firstname` are one key), so a policy listing `address` also removes
 * `billing_address`, `shippingAddress` and `addressLine1`. The rule is documented in
 * docs/collector.md (Property keys); change both together.
 */

/** A key as lower-case words: split at separators, at lower→upper case changes and between letters and digits. */
export function keyWords(key: string): string[] {
  if (/^[a-z]+(?:_[a-z]+)*$/.test(key)) return key.split('_');
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)|(\d)([A-Za-z])/g, '$1$3 $2$4')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Words too general to remove in every compound: `item_name`, `page_name` and
 * `category_name` are analytics. A listed general word removes the key itself, and
 * `name` also its person compounds (`full_name`, `contact_name`, `customerName`).
 */
const GENERAL_WORDS: ReadonlySet<string> = new Set([
  'name',
  'id',
  'number',
  'code',
  'type',
  'value',
  'date',
  'time',
  'title',
  'key',
]);

/** Words that make `name` a person's name. */
const PERSON_QUALIFIERS = [
  'first',
  'last',
  'full',
  'given',
  'family',
  'middle',
  'maiden',
  'sur',
  'fore',
  'nick',
  'legal',
  'real',
  'birth',
  'user',
  'customer',
  'client',
  'contact',
  'recipient',
  'sender',
  'buyer',
  'shopper',
  'member',
  'guest',
  'billing',
  'shipping',
  'delivery',
  'account',
  'card',
  'holder',
  'cardholder',
  'accountholder',
  'owner',
  'person',
  'personal',
  'patient',
  'passenger',
  'traveler',
  'traveller',
  'employee',
  'parent',
  'spouse',
  'emergency',
  'my',
  'your',
];
/** Words written after `name` in person compounds (`name_first`, `nameLast`). */
const NAME_PARTS = ['first', 'last', 'full', 'given', 'family', 'middle'];

/**
 * Qualifiers run together with a listed word in one lower-case word (`billingaddress`,
 * `customeremail`, `phonenumber`, `addressline`); separated ones are whole words and
 * need no list.
 */
const PREFIXES = [
  'billing',
  'shipping',
  'delivery',
  'invoice',
  'home',
  'work',
  'office',
  'business',
  'street',
  'postal',
  'mailing',
  'residential',
  'primary',
  'secondary',
  'alt',
  'alternate',
  'customer',
  'client',
  'contact',
  'user',
  'buyer',
  'recipient',
  'sender',
  'personal',
  'private',
  'mobile',
  'cell',
  'my',
  'your',
  'guest',
  'member',
  'account',
];
const SUFFIXES = ['line', 'number', 'no', 'nr', 'num', 'code', 'address', 'addr'];

/**
 * Usual other names of the common listed words. A policy listing `address` means the
 * street and the recipient too; listing `phone` means `tel` and `mobile_number`.
 */
const FAMILIES: Readonly<Record<string, readonly string[]>> = {
  name: [
    'surname',
    'forename',
    'firstname',
    'lastname',
    'givenname',
    'familyname',
    'fullname',
    'middlename',
    'maidenname',
    'nickname',
    'username',
    'recipient',
    'addressee',
    'cardholder',
    'account_holder',
  ],
  address: ['street', 'streetaddress', 'house_number', 'housenumber', 'apartment', 'apt', 'recipient', 'addressee'],
  email: ['e_mail', 'emailaddress', 'mail_address'],
  phone: ['telephone', 'tel', 'mobile_number', 'mobile_phone', 'cellphone', 'cell_phone', 'fax', 'msisdn', 'whatsapp'],
  postcode: ['postal_code', 'post_code', 'zip', 'zipcode', 'plz'],
  zip: ['postcode', 'postal_code', 'post_code', 'zipcode', 'plz'],
  birthday: ['birthdate', 'birth_date', 'date_of_birth', 'dob', 'birth_day'],
};

/**
 * Keys that claim what only the collector may derive: removed like listed keys (in any
 * compound for the multi-letter ones: `client_ip`, `userAgent`, `visitorId`).
 */
const CLIENT_DERIVED = [
  'ip',
  'ip_address',
  'remote_addr',
  'user_agent',
  'ua',
  'geo',
  'country',
  'region',
  'city',
  'lat',
  'lon',
  'lng',
  'latitude',
  'longitude',
  'visitor_id',
  'visitor_hash',
  'fingerprint',
];
/** Client-derived keys that are removed only as themselves (`ua_version` and `country_code` of a product stay). */
const EXACT_ONLY: ReadonlySet<string> = new Set(['ua', 'geo', 'country', 'region', 'city', 'lat', 'lon', 'lng']);

interface Entry {
  words: string[];
  compact: string;
  /** Removed in compounds too, not only as itself. */
  compounds: boolean;
}

const containsRun = (words: string[], run: string[]): boolean => {
  for (let i = 0; i + run.length <= words.length; i++) if (run.every((word, k) => words[i + k] === word)) return true;
  return false;
};

/** Whether one lower-case word is `compact` with a known qualifier run into it (`billingaddress`). */
function qualifiedWord(word: string, compact: string): boolean {
  const at = word.indexOf(compact);
  if (at === -1 || word.length === compact.length) return false;
  const prefix = word.slice(0, at);
  const suffix = word.slice(at + compact.length);
  return (prefix === '' || PREFIXES.includes(prefix)) && (suffix === '' || SUFFIXES.includes(suffix));
}

function personName(words: string[]): boolean {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (
      word === 'name' &&
      ((i > 0 && PERSON_QUALIFIERS.includes(words[i - 1]!)) || (i + 1 < words.length && NAME_PARTS.includes(words[i + 1]!)))
    )
      return true;
    if (word.endsWith('name') && PERSON_QUALIFIERS.includes(word.slice(0, -4))) return true;
  }
  return false;
}

export interface KeyClass {
  /** Removed wherever it appears: a listed key, a compound or synonym of one, or a client-derived key. */
  sensitive: boolean;
  /** Names a phone number (`mobile`, `tel`, `whatsapp`): its value is read with the shorter phone rule. */
  contactNumber: boolean;
}

/** Words that make a key a phone number's. */
const CONTACT_NUMBER_WORDS: ReadonlySet<string> = new Set([
  'phone',
  'telephone',
  'tel',
  'mobile',
  'cell',
  'cellphone',
  'fax',
  'whatsapp',
  'msisdn',
  'handy',
]);

/** Answers remembered per matcher; keys are client input, so the memo is bounded. */
const MAX_REMEMBERED_KEYS = 4096;

function buildMatcher(redactKeys: readonly string[]): (key: string) => KeyClass {
  const entries: Entry[] = [];
  const add = (key: string, compounds: boolean) => {
    const words = keyWords(key);
    if (words.length > 0)
      entries.push({
        words,
        compact: words.join(''),
        compounds: compounds && !(words.length === 1 && GENERAL_WORDS.has(words[0]!)),
      });
  };
  let names = false;
  for (const key of redactKeys) {
    const compact = keyWords(key).join('');
    add(key, true);
    for (const member of FAMILIES[compact] ?? []) add(member, true);
    if (compact === 'name') names = true;
  }
  for (const key of CLIENT_DERIVED) add(key, !EXACT_ONLY.has(key));

  const answers = new Map<string, KeyClass>();
  return (key) => {
    let answer = answers.get(key);
    if (answer === undefined) {
      const words = keyWords(key);
      const compact = words.join('');
      const sensitive =
        (names && personName(words)) ||
        entries.some(
          (entry) =>
            entry.compact === compact ||
            (entry.compounds && (containsRun(words, entry.words) || words.some((word) => qualifiedWord(word, entry.compact)))),
        );
      const contactNumber = words.some(
        (word) => CONTACT_NUMBER_WORDS.has(word) || qualifiedWord(word, 'phone') || qualifiedWord(word, 'tel'),
      );
      answer = { sensitive, contactNumber };
      if (answers.size >= MAX_REMEMBERED_KEYS) answers.clear();
      answers.set(key, answer);
    }
    return answer;
  };
}

/**
 * The policy's `redact_keys` (and the client-derived keys) as a classifier of property
 * keys, each key's answer remembered (batches repeat their keys). The pipeline builds it
 * once per policy (PipelineMemos).
 */
export const propertyKeyRules = (redactKeys: readonly string[]): ((key: string) => KeyClass) => buildMatcher(redactKeys);
