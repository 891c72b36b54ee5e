import { Checkout } from '../checkout.entity';
import { formatLockedRate, formatPrice, formatRemaining, formatSats, formatUtc } from './format';
import { html, HtmlValue, SafeHtml, trustedHtml } from './html';
import { PAGE_SCRIPT } from './hosted-page.script';
import { PAGE_CSS } from './hosted-page.styles';
import { isFinal, Screen, screenOf } from './public-status';

/** Seconds the "Paid" screen shows before the customer is sent back to the shop. */
export const REDIRECT_SECONDS = 5;
/** Without JavaScript, the waiting page reloads itself this often to show a new status. */
export const NO_SCRIPT_REFRESH_SECONDS = 10;

export interface CheckoutPageModel {
  checkout: Checkout;
  storeName: string;
  /** The shop's home page, for "back to the shop" links on Expired and Invalid. */
  storeWebsite: string | null;
  /** Where a paid customer is sent: already checked to be http(s). */
  redirectUrl: string | null;
  qrSvg: string;
  nonce: string;
  devBackend: boolean;
  now: Date;
  /** Shop origins that may frame the page; the page reports its status to those (modal checkout). */
  frameOrigins?: readonly string[];
}

const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Ccircle cx='16' cy='16' r='16' fill='%23f7931a'/%3E%3Cpath d='M18 4 8 18h7l-2 10 10-14h-7z' fill='%23fff'/%3E%3C/svg%3E";

const ICONS = {
  check: trustedHtml('<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M5 12.5l4.5 4.5L19 7.5"/></svg>'),
  clock: trustedHtml('<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/></svg>'),
  cross: trustedHtml('<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" aria-hidden="true"><path d="M7 7l10 10M17 7L7 17"/></svg>'),
  alert: trustedHtml('<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 3l9.5 17h-19z"/><path d="M12 10v4M12 17.5v.01"/></svg>'),
  bolt: trustedHtml('<svg viewBox="0 0 24 24" width="18" height="18" fill="currentColor" aria-hidden="true"><path d="M13.5 2 4 13.5h6.5L9.5 22 20 10h-6.5z"/></svg>'),
};

export function renderCheckoutPage(m: CheckoutPageModel): string {
  const c = m.checkout;
  const screen = screenOf(c);
  const final = isFinal(c, m.now.getTime());
  // A top-up checkout (no amount) shows what was paid once it is.
  const topUp = c.amountSats === 0;
  const sats = formatSats(topUp ? (c.amountPaidSats ?? 0) : c.amountSats);
  const titles: Record<Screen, string> = {
    New: topUp ? `Pay ${m.storeName}` : `Pay ${sats} sats to ${m.storeName}`,
    Settled: `Paid · ${m.storeName}`,
    Expired: `Expired · ${m.storeName}`,
    Invalid: `Canceled · ${m.storeName}`,
    PaidLate: `Paid after expiry · ${m.storeName}`,
  };
  const panel = (which: Screen, className: string, content: HtmlValue) =>
    html`<section class="${className}" data-screen-for="${which}" data-title="${titles[which]}" aria-live="polite"${trustedHtml(which === screen ? '' : ' hidden')}>${content}</section>`;
  const backToShop = m.storeWebsite ? html`<a class="button secondary" href="${m.storeWebsite}">Back to ${m.storeName}</a>` : '';

  const head = html`<meta http-equiv="refresh" content="${NO_SCRIPT_REFRESH_SECONDS}">`;
  const refresh =
    screen === 'Settled' && m.redirectUrl
      ? // Sends the customer back to the shop even without JavaScript.
        html`<meta http-equiv="refresh" content="${REDIRECT_SECONDS};url=${m.redirectUrl.replace(/'/g, '%27')}">`
      : !final
        ? html`<noscript>${head}</noscript>`
        : '';

  const body = html`
${m.devBackend ? html`<div class="dev-banner" role="note">DEV BACKEND — test invoices only, no real payments</div>` : ''}
<main>
  <div class="card">
    <button type="button" class="modal-close" id="modal-close" aria-label="Close" hidden>×</button>
    <header class="merchant">
      <p class="label">Pay with Lightning</p>
      <h1>${m.storeName}</h1>
      ${description(c)}
    </header>
    <div class="amount">
      ${topUp && screen === 'New' ? html`<p class="sats">Any amount</p>` : html`<p class="sats">${sats} <small>sats</small></p>`}
      ${c.currency !== 'SATS' ? html`<p class="fiat">${formatPrice(c.amount, c.currency)}</p>` : ''}
      ${formatLockedRate(c) ? html`<p class="rate">${formatLockedRate(c)}</p>` : ''}
    </div>
    ${panel('New', 'panel', newScreen(m))}
    ${panel(
      'Settled',
      'state ok',
      html`<div class="icon">${ICONS.check}</div>
      <h2>Paid</h2>
      <p>Thank you! ${m.storeName} received your payment of ${sats} sats.</p>
      ${
        m.redirectUrl
          ? html`<p>Returning you to the shop in <span id="redirect-seconds">${REDIRECT_SECONDS}</span> s…</p>
      <a class="button" href="${m.redirectUrl}">Return to ${m.storeName}</a>`
          : html`<p>You can close this page.</p>`
      }`,
    )}
    ${panel(
      'Expired',
      'state warn',
      html`<div class="icon">${ICONS.clock}</div>
      <h2>Checkout expired</h2>
      <p>No payment arrived before the invoice expired. Please do not pay this invoice any more; start a new checkout at ${m.storeName} instead.</p>
      ${backToShop}`,
    )}
    ${panel(
      'Invalid',
      'state bad',
      html`<div class="icon">${ICONS.cross}</div>
      <h2>Checkout canceled</h2>
      <p>${m.storeName} canceled this payment request. Please do not pay it.</p>
      ${backToShop}`,
    )}
    ${panel(
      'PaidLate',
      'state warn',
      html`<div class="icon">${ICONS.alert}</div>
      <h2>Paid after expiry</h2>
      <p>Your payment arrived after this checkout had expired. It has been recorded and ${m.storeName} has been notified: please contact them to complete your order or arrange a refund.</p>
      ${backToShop}`,
    )}
  </div>
</main>
<footer>Checkout <code>${c.id}</code> · Lightning Checkout</footer>`;

  return document({
    title: titles[screen],
    nonce: m.nonce,
    head: refresh,
    bodyAttributes: html`data-checkout-id="${c.id}" data-screen="${screen}" data-expires-at="${c.expiresAt.toISOString()}" data-server-now="${m.now.getTime()}" data-redirect-url="${m.redirectUrl ?? ''}" data-redirect-seconds="${REDIRECT_SECONDS}" data-final="${final}" data-frame-origins="${(m.frameOrigins ?? []).join(' ')}"`,
    body,
    script: true,
  });
}

function description(c: Checkout): SafeHtml | '' {
  const parts = [c.orderId ? `Order ${c.orderId}` : null, c.description].filter((p): p is string => !!p);
  return parts.length ? html`<p class="what">${parts.join(' · ')}</p>` : '';
}

function newScreen(m: CheckoutPageModel): SafeHtml {
  const c = m.checkout;
  const walletUri = `lightning:${c.bolt11}`;
  return html`
      <a class="qr" href="${walletUri}" title="Open in a Lightning wallet">${trustedHtml(m.qrSvg)}</a>
      <p class="countdown">Expires in <strong id="countdown">${formatRemaining(c.expiresAt.getTime() - m.now.getTime())}</strong>
        · <time datetime="${c.expiresAt.toISOString()}">${formatUtc(c.expiresAt)}</time></p>
      <div class="invoice">
        <div class="head"><span>Lightning invoice</span><button type="button" class="copy" id="copy" hidden>Copy</button></div>
        <div class="box"><code id="bolt11">${c.bolt11}</code></div>
      </div>
      <a class="button" href="${walletUri}">${ICONS.bolt} Open in wallet</a>
      <p class="live"><span class="dot" aria-hidden="true"></span><span id="live-text">Waiting for payment…</span></p>
      ${
        m.devBackend
          ? html`<form class="simulate" id="simulate-form" method="post" action="/i/${encodeURIComponent(c.id)}/simulate-payment">
        <p><strong>Dev backend demo:</strong> marks this test invoice as paid. No money moves.</p>
        <button class="button" type="submit">Simulate payment</button>
      </form>`
          : ''
      }`;
}

export function renderNotFoundPage(nonce: string): string {
  return document({
    title: 'Checkout not found',
    nonce,
    head: '',
    bodyAttributes: html``,
    body: html`
<main>
  <div class="card notfound">
    <div class="state bad"><div class="icon">${ICONS.cross}</div>
      <h2>Checkout not found</h2>
      <p>This payment link is not valid. Check that you opened the complete link the shop gave you, or go back to the shop and start the checkout again.</p>
    </div>
  </div>
</main>`,
    script: false,
  });
}

export function renderErrorPage(nonce: string): string {
  return document({
    title: 'Temporarily unavailable',
    nonce,
    head: html`<meta http-equiv="refresh" content="${NO_SCRIPT_REFRESH_SECONDS}">`,
    bodyAttributes: html``,
    body: html`
<main>
  <div class="card notfound">
    <div class="state warn"><div class="icon">${ICONS.alert}</div>
      <h2>Temporarily unavailable</h2>
      <p>The checkout could not be loaded just now. This page retries by itself in a few seconds; a payment you already made is not lost.</p>
    </div>
  </div>
</main>`,
    script: false,
  });
}

function document(p: { title: string; nonce: string; head: HtmlValue; bodyAttributes: SafeHtml; body: SafeHtml; script: boolean }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>${p.title}</title>
<link rel="icon" href="${FAVICON}">
${p.head}
<style nonce="${p.nonce}">${trustedHtml(PAGE_CSS)}</style>
</head>
<body ${p.bodyAttributes}>${p.body}
${p.script ? html`<script nonce="${p.nonce}">${trustedHtml(PAGE_SCRIPT)}</script>` : ''}
</body>
</html>
`.value;
}
