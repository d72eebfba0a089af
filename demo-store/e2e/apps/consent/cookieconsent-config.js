// vanilla-cookieconsent set up as its Google Consent Mode guide does: a module script (so deferred, after the
// Pathmark tag started) creates dataLayer, sets the default, and updates it on consent (also when a returning
// visitor's stored choice is restored, in onConsent).
import * as CookieConsent from '/e2e/lib/cookieconsent.esm.js';

window.dataLayer = window.dataLayer || [];
function gtag() {
  dataLayer.push(arguments);
}
gtag('consent', 'default', {
  ad_storage: 'denied',
  ad_user_data: 'denied',
  ad_personalization: 'denied',
  analytics_storage: 'denied',
  functionality_storage: 'denied',
  personalization_storage: 'denied',
  security_storage: 'granted',
  wait_for_update: 500,
});

function updateGtagConsent() {
  const analytics = CookieConsent.acceptedCategory('analytics') ? 'granted' : 'denied';
  const ads = CookieConsent.acceptedCategory('advertisement') ? 'granted' : 'denied';
  gtag('consent', 'update', { analytics_storage: analytics, ad_storage: ads, ad_user_data: ads, ad_personalization: ads });
}

CookieConsent.run({
  // Its default hides the banner from automated browsers (navigator.webdriver), which these tests drive.
  hideFromBots: false,
  onFirstConsent: updateGtagConsent,
  onConsent: updateGtagConsent,
  onChange: updateGtagConsent,
  categories: { necessary: { enabled: true, readOnly: true }, analytics: {}, advertisement: {} },
  language: {
    default: 'en',
    translations: {
      en: {
        consentModal: {
          title: 'We use cookies',
          description: 'Analytics help us improve the shop.',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          showPreferencesBtn: 'Manage preferences',
        },
        preferencesModal: {
          title: 'Privacy preferences',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          savePreferencesBtn: 'Save preferences',
          sections: [
            { title: 'Necessary', description: 'Needed for the shop to work.', linkedCategory: 'necessary' },
            { title: 'Analytics', description: 'Anonymous statistics.', linkedCategory: 'analytics' },
            { title: 'Advertising', description: 'Ads.', linkedCategory: 'advertisement' },
          ],
        },
      },
    },
  },
});
