/**
 * The renderer's origin inside the Electron app. Pages load from `app://clinicgate/`, a
 * privileged standard scheme served from the built renderer folder, never from `file://`.
 */
export const appScheme = 'app';
export const appHost = 'clinicgate';
export const appEntryUrl = `${appScheme}://${appHost}/index.html`;

/**
 * Tells whether a URL belongs to the app. WHATWG URL reports the origin of a custom scheme as
 * `"null"`, so the scheme and host are compared instead of `url.origin`.
 */
export function isAppUrl(value: string | undefined | null): boolean {
  if (value === undefined || value === null || value === '') {
    return false;
  }
  try {
    const url = new URL(value);
    return url.protocol === `${appScheme}:` && url.host === appHost && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
