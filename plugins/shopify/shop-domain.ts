/**
 * A public app shares one signing secret across every shop that installs it, so a valid HMAC alone
 * does not say which shop sent the webhook. When the configured shop is a domain, the
 * `X-Shopify-Shop-Domain` header must name it. (A configured URL, as used for a proxy or a local
 * fake, is not compared.)
 */
export function shopDomainMatches(configuredShop: string, header: string | string[] | undefined): boolean {
  if (/^https?:\/\//i.test(configuredShop)) return true;
  const expected = configuredShop.replace(/\/+$/, '').toLowerCase();
  return typeof header === 'string' && header.trim().toLowerCase() === expected;
}
