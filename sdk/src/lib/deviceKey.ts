/**
 * The one name of a site's data on the device: its localStorage key, its
 * IndexedDB database and its Web Lock (separate namespaces, so no clash).
 */
export const deviceKey = (site: string) => 'pathmark:' + site;
