import { Checkout } from '../checkout.entity';
import { AdditionalStatus, CheckoutStatus } from '../checkout-status';
import { renderCheckoutPage, renderErrorPage, renderNotFoundPage } from './hosted-page.view';
import { LANGUAGES } from './i18n';

const now = new Date('2026-12-01T21:20:00Z');
const checkout = (over: Partial<Checkout> = {}): Checkout =>
  ({
    id: 'chk_1',
    status: CheckoutStatus.New,
    additionalStatus: AdditionalStatus.None,
    amountSats: 13701,
    currency: 'CHF',
    amount: '12.5',
    rate: '1096.075873',
    rateBtc: '91234.56',
    rateSources: ['kraken', 'bitstamp', 'coingecko'],
    rateAt: new Date('2026-12-01T21:14:59Z'),
    rateSpreadPercent: '1.5',
    orderId: 'A-{store}',
    description: 'Two coffees {sats}',
    bolt11: 'lnbcrt1',
    createdAt: new Date('2026-12-01T21:15:00Z'),
    expiresAt: new Date('2026-12-01T21:30:00Z'),
    updatedAt: now,
    settledAt: null,
    amountPaidSats: null,
    ...over,
  }) as Checkout;

const page = (language: (typeof LANGUAGES)[number], over: Partial<Checkout> = {}) =>
  renderCheckoutPage({
    checkout: checkout(over),
    storeName: 'Café {seconds} <b>',
    storeWebsite: 'https://shop.example/',
    logoUrl: 'https://cdn.shop.example/logo.png',
    redirectUrl: 'https://shop.example/thanks',
    qrSvg: '<svg viewBox="0 0 41 41"></svg>',
    nonce: 'n',
    devBackend: true,
    now,
    language,
  });

/** The page's text content and attribute values, without its style, its script and the script's templates. */
const visible = (markup: string) => markup.replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>| data-messages="[^"]*"/g, '');

describe('hosted page view', () => {
  it.each(LANGUAGES)('renders every screen in %s with no placeholder left over and merchant text escaped', (language) => {
    const markup = page(language);
    expect(markup).toContain(`<html lang="${language}">`);
    // Placeholders that merchant text happens to contain stay as typed; none of the page's own remain.
    const leftovers = visible(markup)
      .replace(/Café \{seconds\} &lt;b&gt;|A-\{store\}|Two coffees \{sats\}/g, '')
      .match(/\{\w+\}/g);
    expect(leftovers).toBeNull();
    expect(markup).not.toContain('<b>');
    expect(markup).toContain('<progress id="time-left" max="900" value="600"');
    expect(markup).toContain('<details class="rate-details">');
    expect(markup).toContain('<img class="logo" src="https://cdn.shop.example/logo.png"');
    for (const screen of ['New', 'Settled', 'Expired', 'Invalid', 'PaidLate']) expect(markup).toContain(`data-screen-for="${screen}"`);
    expect(visible(renderNotFoundPage('n', language))).not.toMatch(/\{\w+\}/);
    expect(visible(renderErrorPage('n', language))).not.toMatch(/\{\w+\}/);
  });

  it('keeps a sats-priced checkout as it was: sats first, no price, no rate', () => {
    const markup = page('en', { currency: 'SATS', amount: '2100', amountSats: 2100, rateBtc: null, rateAt: null, rateSources: null });
    expect(markup).toContain('<p class="sats">2,100 <small>sats</small></p>');
    expect(markup).not.toContain('class="price"');
    expect(markup).not.toContain('<details');
  });

  it('leads a fiat checkout with its price in the page language, sats below, the rate in the details', () => {
    const de = page('de');
    expect(de).toMatch(/<p class="price">12,50\sCHF<\/p>\s*<p class="sats-below">13\.701 sats<\/p>/);
    expect(de).toContain('<dd class="rate">1 BTC = 91.234,56 CHF</dd>');
    expect(de).toContain('<dd>Kraken, Bitstamp und CoinGecko (Median)</dd>');
    expect(de).toMatch(/<dd>1,5\s%<\/dd>/);
    expect(de).toContain('<time datetime="2026-12-01T21:14:59.000Z" title="1. Dez. 2026, 21:14 UTC" data-local>1. Dez. 2026, 21:14 UTC</time>');
  });
});
