import { describe, expect, it } from 'vitest';
import { correctedTimestamp } from '../src/core/anonymize.ts';
import { hmacHex, hmacKey, sha256Hex } from '../src/core/hmac.ts';
import { cleanReferrer, cleanUrl } from '../src/core/urls.ts';
import { reduceUserAgent } from '../src/core/user-agent.ts';

const keep = (name: string) => name === 'q' || name.startsWith('utm_');

describe('reduceUserAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      { browser: 'Chrome', browser_major: 131, os: 'Windows', device: 'desktop' },
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70',
      { browser: 'Edge', browser_major: 131, os: 'Windows', device: 'desktop' },
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      { browser: 'Safari', browser_major: 18, os: 'macOS', device: 'desktop' },
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      { browser: 'Safari', browser_major: 18, os: 'iOS', device: 'mobile' },
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/130.0.6723.90 Mobile/15E148 Safari/604.1',
      { browser: 'Chrome', browser_major: 130, os: 'iOS', device: 'tablet' },
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
      { browser: 'Chrome', browser_major: 131, os: 'Android', device: 'mobile' },
    ],
    [
      'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Safari/537.36',
      { browser: 'Samsung Internet', browser_major: 26, os: 'Android', device: 'tablet' },
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
      { browser: 'Firefox', browser_major: 133, os: 'Linux', device: 'desktop' },
    ],
    ['curl/8.5.0', { browser: 'Other', browser_major: null, os: 'Other', device: 'other' }],
  ])('%s', (ua, expected) => {
    expect(reduceUserAgent(ua)).toEqual(expected);
  });
});

describe('cleanUrl and cleanReferrer', () => {
  it('drops the fragment, credentials and non-allowlisted parameters, keeps utm_* and the allowlist', () => {
    expect(cleanUrl('https://user:pw@shop.example/a/b?q=mug&utm_source=mail&session=abc&email=x#top', keep)).toEqual({
      url: 'https://shop.example/a/b?q=mug&utm_source=mail',
      path: '/a/b',
      pathAndQuery: '/a/b?q=mug&utm_source=mail',
      redactions: 0,
      removed: ['url@credentials', 'url#fragment', 'url?session', 'url?email'],
    });
  });

  it('redacts path segments and kept query values', () => {
    const cleaned = cleanUrl('https://shop.example/users/bob%40example.com/orders?q=call%20%2B44%2020%207946%200958', keep)!;
    expect(cleaned.path).toBe('/users/[email]/orders');
    expect(cleaned.url).toBe('https://shop.example/users/[email]/orders?q=call+%5Bphone%5D');
    expect(cleaned.redactions).toBe(2);
  });

  it('decodes around malformed escapes before redacting', () => {
    const cleaned = cleanUrl('https://shop.example/p/%zz+1%20415%20555%200100%C3', keep)!;
    expect(cleaned.path).toBe('/p/%zz[phone]%C3');
  });

  it('hides IP hosts and redacts host labels', () => {
    expect(cleanUrl('http://192.168.1.20:8080/x', keep)!.url).toBe('http://[ip]:8080/x');
    expect(cleanUrl('http://[2001:db8::1]/x', keep)!.url).toBe('http://[ip]/x');
    expect(cleanReferrer('https://call-4155550100.example/x', 'https://shop.example/', keep)!.url).toBe(
      'https://call-[phone].example',
    );
  });

  it('reduces external referrers to their origin and cleans same-site ones like URLs', () => {
    expect(cleanReferrer('https://mail.example/inbox/42?u=bob#m', 'https://shop.example/', keep)).toMatchObject({
      url: 'https://mail.example',
      removed: ['referrer/path'],
    });
    expect(cleanReferrer('https://shop.example/search?q=mug&token=1#x', 'https://shop.example/p', keep)).toMatchObject({
      url: 'https://shop.example/search?q=mug',
      removed: ['referrer#fragment', 'referrer?token'],
    });
    expect(cleanReferrer('android-app://com.example', 'https://shop.example/', keep)).toBeNull();
  });

  it('takes a referrer as same-site only when its origin is the page’s, however the two are written', () => {
    const external = { url: expect.not.stringContaining('/secret'), removed: ['referrer/path'] };
    // Same text up to the host, another host.
    expect(cleanReferrer('https://shop.example.evil.net/secret?q=1', 'https://shop.example.evil/p', keep)).toMatchObject(
      external,
    );
    expect(cleanReferrer('https://shop.ex/secret', 'https://shop.example/p', keep)).toMatchObject(external);
    expect(cleanReferrer('https://shop.example/secret', 'https://shop.example:8443/p', keep)).toMatchObject(external);
    expect(cleanReferrer('http://shop.example/secret', 'https://shop.example/p', keep)).toMatchObject(external);
    // Written differently, same origin: cleaned like the page URL.
    for (const referrer of ['HTTPS://SHOP.EXAMPLE/a?q=mug', 'https://shop.example:443/a?q=mug', 'https://shop.example\\a?q=mug'])
      expect(cleanReferrer(referrer, 'https://shop.example/p', keep)?.url, referrer).toBe('https://shop.example/a?q=mug');
    expect(cleanReferrer('https://shop.example?q=mug', 'https://shop.example#top', keep)?.url).toBe(
      'https://shop.example/?q=mug',
    );
  });
});

describe('hmacHex and sha256Hex (node:crypto)', () => {
  const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
  const webCryptoHmac = async (secret: string | Uint8Array, message: string) => {
    const raw = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return hex(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
  };

  it('match RFC 4231 and FIPS 180-2 vectors', () => {
    expect(hmacHex(hmacKey(new Uint8Array(20).fill(0x0b)), 'Hi There')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
    expect(hmacHex(hmacKey('Jefe'), 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(hmacHex(hmacKey('Jefe'), 'what do ya want for nothing?', 16)).toBe('5bdcc146bf60754e6a042426089575c7');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('give what WebCrypto gives (the visitor hashes and pseudonyms did not change)', async () => {
    const salt = crypto.getRandomValues(new Uint8Array(32));
    for (const message of ['demo\n203.0.113.7\nMozilla/5.0', 'shop\nanon-éü-✓-𝄞', '']) {
      expect(hmacHex(hmacKey(salt), message)).toBe(await webCryptoHmac(salt, message));
      expect(hmacHex(hmacKey('site-secret'), message, 16)).toBe((await webCryptoHmac('site-secret', message)).slice(0, 32));
      expect(sha256Hex(message)).toBe(hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(message))));
    }
  });
});

describe('correctedTimestamp', () => {
  it('shifts the device time by the device-to-collector offset at send time', () => {
    // Device clock 1 h fast: captured 10 s before sending.
    const hour = 3_600_000;
    expect(correctedTimestamp(1_000_000 + hour - 10_000, 1_000_000 + hour, 1_000_000)).toBe(990_000);
  });
  it('never puts an event after its arrival', () => {
    expect(correctedTimestamp(2_000, 1_000, 5_000)).toBe(5_000);
  });
});
