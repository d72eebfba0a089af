import { describe, expect, it } from 'vitest';
import { keyWords, propertyKeyRules } from '../src/core/property-keys.ts';
import sites from '../sites.json';

const demoKeys = sites.sites.demo.redact_keys;
const classify = propertyKeyRules(demoKeys);

describe('property keys (the demo policy’s redact_keys)', () => {
  it('splits keys into words whatever their case and separators', () => {
    expect(keyWords('firstName')).toEqual(['first', 'name']);
    expect(keyWords('FIRST-NAME')).toEqual(['first', 'name']);
    expect(keyWords('addressLine1')).toEqual(['address', 'line', '1']);
    expect(keyWords('HTTPServerURL')).toEqual(['http', 'server', 'url']);
    expect(keyWords('e.mail address')).toEqual(['e', 'mail', 'address']);
  });

  it.each([
    // The near misses the exact comparison let through.
    'firstName',
    'full_name',
    'fullName',
    'billing_address',
    'shipping_address',
    'addressLine1',
    'street',
    'recipient',
    'contact_name',
    'emailAddress',
    // Case and separators.
    'EMAIL',
    'e-mail',
    'E_Mail',
    'First-Name',
    'LAST_NAME',
    'lastname',
    'Name',
    'PostCode',
    'ZIP',
    // Compounds of the listed words, separated or run together.
    'customerEmail',
    'customer_email_address',
    'billingaddress',
    'deliveryAddress',
    'address_2',
    'street_name',
    'phone_number',
    'phoneNumber',
    'mobilePhone',
    'zip_code',
    'zipCode',
    'postalCode',
    'birthday_date',
    // Person names, not other names.
    'customer_name',
    'recipientName',
    'cardholder_name',
    'user_name',
    'username',
    'nameFirst',
    'given_name',
    'surname',
    // Synonyms of the listed words.
    'telephone',
    'tel',
    'mobile_number',
    'fax',
    'whatsapp',
    'date_of_birth',
    'dob',
    'birthDate',
    'plz',
    'house_number',
    // What only the collector may derive, spelled any way.
    'ip',
    'ipAddress',
    'client_ip',
    'userAgent',
    'visitorId',
    'Country',
    'latitude',
  ])('removes %j', (key) => {
    expect(classify(key).sensitive).toBe(true);
  });

  it.each([
    // Analytics keys built on `name`.
    'item_name',
    'page_name',
    'category_name',
    'product_name',
    'brand_name',
    'item_list_name',
    'list_name',
    'event_name',
    'file_name',
    'company_name',
    'store_name',
    'display_name',
    'variant_name',
    'names_count',
    // Protocol fields and ordinary analytics.
    'search_term',
    'search_id',
    'transaction_id',
    'item_id',
    'value',
    'currency',
    'items',
    'quantity',
    'placement',
    'variant',
    'step',
    // Words that merely contain a listed one.
    'iphone',
    'headphones',
    'hotel',
    'zipper',
    'shipment',
    'tip',
    'country_code',
    'is_mobile',
    'mobile',
    'gzip_size',
  ])('keeps %j', (key) => {
    expect(classify(key).sensitive).toBe(false);
  });

  it('names phone numbers by key, for the shorter phone rule', () => {
    for (const key of ['mobile', 'tel', 'phoneNumber', 'whatsapp', 'homephone', 'Handy', 'cell'])
      expect(classify(key).contactNumber, key).toBe(true);
    for (const key of ['iphone_model', 'hotel', 'value', 'telemetry']) expect(classify(key).contactNumber, key).toBe(false);
  });

  it('keeps to the listed words: a policy without `name` keeps `full_name`', () => {
    const emailOnly = propertyKeyRules(['email']);
    expect(emailOnly('customerEmail').sensitive).toBe(true);
    expect(emailOnly('full_name').sensitive).toBe(false);
    expect(emailOnly('billing_address').sensitive).toBe(false);
    // General words listed alone remove only themselves.
    const withCode = propertyKeyRules(['code']);
    expect(withCode('Code').sensitive).toBe(true);
    expect(withCode('currency_code').sensitive).toBe(false);
  });
});
