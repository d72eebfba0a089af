// Klaro's Google Consent Mode set-up: the tag manager service (required) creates dataLayer and sets the default in
// its onInit; the analytics service updates analytics_storage when accepted or declined. Klaro also calls onDecline
// on load for a visitor who has not chosen yet: only a confirmed choice is an update (docs/consent.md).
window.klaroConfig = {
  version: 1,
  elementID: 'klaro',
  storageMethod: 'cookie',
  cookieName: 'klaro',
  acceptAll: true,
  hideDeclineAll: false,
  translations: {
    zz: { privacyPolicyUrl: '/privacy' },
    en: { purposes: { analytics: 'Analytics' }, 'google-analytics': { description: 'Visitor statistics' } },
  },
  services: [
    {
      name: 'google-tag-manager',
      title: 'Google Tag Manager',
      purposes: ['analytics'],
      required: true,
      onInit: `
        window.dataLayer = window.dataLayer || [];
        window.gtag = function () { dataLayer.push(arguments); };
        gtag('consent', 'default', { ad_storage: 'denied', analytics_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' });
      `,
    },
    {
      name: 'google-analytics',
      title: 'Google Analytics',
      purposes: ['analytics'],
      cookies: [/^_ga/],
      onAccept: `gtag('consent', 'update', { analytics_storage: 'granted' });`,
      onDecline: `if (opts.confirmed) gtag('consent', 'update', { analytics_storage: 'denied' });`,
    },
  ],
};
