/** Longest logo URL stored (the column's size). */
export const LOGO_URL_MAX = 2000;

/**
 * Host names a CSP source can name (CSP3 host-char: letters, digits, '-'; IDN already in punycode)
 * or an IPv4 address. The URL parser also lets through '*', ';', ',', quotes and braces, which in
 * the page's img-src would widen it to every host or break the header; and CSP has no IPv6 form
 * (Chromium ignores "http://[::1]:3000" as an invalid source, so such a logo would never load).
 */
function isCspHost(hostname: string): boolean {
  return hostname.split('.').every((label) => /^[a-z0-9-]+$/.test(label) && !label.startsWith('-') && !label.endsWith('-'));
}

/**
 * A store logo is loaded by the shopper's browser from the hosted page, which is served over https
 * in production: an http logo would be mixed content (blocked) and could be swapped on the way. So
 * https only, except http on a loopback host, which browsers treat as secure (a merchant trying
 * the server on their own machine). No credentials in it: they would be shown to every shopper.
 * Returns the normalized URL, or why it is refused.
 */
export function checkLogoUrl(value: string): { url: string } | { error: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: 'logoUrl must be an absolute https URL, e.g. https://shop.example/logo.png' };
  }
  const loopback = url.hostname === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return { error: 'logoUrl must use https (http only for localhost), since shoppers load it from the checkout page' };
  }
  if (url.username || url.password) return { error: 'logoUrl must not contain a user name or password' };
  if (!isCspHost(url.hostname))
    return { error: "logoUrl must name its host by letters, digits, hyphens and dots, or an IPv4 address (a page's CSP cannot allow an IPv6 address)" };
  if (url.href.length > LOGO_URL_MAX) return { error: `logoUrl must be at most ${LOGO_URL_MAX} characters` };
  return { url: url.href };
}
