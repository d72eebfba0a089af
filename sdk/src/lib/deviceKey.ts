/**
 * The one name of a site's data on the device: its localStorage key, its
 * IndexedDB database and its Web Lock (separate namespaces, so no clash).
 */
export const deviceKey = (site: string) => 'pathmark:' + site;
/** The `localStorage` key of captures kept unsent (unsent.ts): the session's key and a suffix, deleted with it. */
export const UNSENT = '#unsent';
export const unsentKey = (site: string) => deviceKey(site) + UNSENT;
