import { Checkout } from '../checkout.entity';
import { formatPrice, formatRemaining, formatSats, formatUtc, intlLocale, rateDetails } from './format';
import { escapeHtml, html, HtmlValue, SafeHtml, trustedHtml } from './html';
import { PAGE_SCRIPT } from './hosted-page.script';
import { PAGE_CSS } from './hosted-page.styles';
import { Language, LANGUAGES, MESSAGES, Translate, translator } from './i18n';
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
  /** The store's logo, already checked to be https (or http on loopback); the CSP allows its origin. */
  logoUrl?: string | null;
  /** Where a paid customer is sent: already checked to be http(s). */
  redirectUrl: string | null;
  qrSvg: string;
  nonce: string;
  devBackend: boolean;
  now: Date;
  language?: Language;
  /** Query parameters the language links keep (the modal's `view=modal`). */
  keepQuery?: Record<string, string>;
  /** Shop origins that may frame the page; the page reports its status to those (modal checkout). */
  frameOrigins?: readonly string[];
}

const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Ccircle cx='16' cy='16' r='16' fill='%23f7931a'/%3E%3Cpath d='M18 4 8 18h7l-2 10 10-14h-7z' fill='%23fff'/%3E%3C/svg%3E";

const ICONS = {
  check: trustedHtml(
    '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M5 12.5l4.5 4.5L19 7.5"/></svg>',
  ),
  clock: trustedHtml(
    '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/></svg>',
  ),
  cross: trustedHtml(
    '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" aria-hidden="true"><path d="M7 7l10 10M17 7L7 17"/></svg>',
  ),
  alert: trustedHtml(
    '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 3l9.5 17h-19z"/><path d="M12 10v4M12 17.5v.01"/></svg>',
  ),
  bolt: trustedHtml(
    '<svg viewBox="0 0 24 24" width="18" height="18" fill="currentColor" aria-hidden="true"><path d="M13.5 2 4 13.5h6.5L9.5 22 20 10h-6.5z"/></svg>',
  ),
};

/** Texts the page script needs after rendering (live updates, copy button, simulate). */
const SCRIPT_MESSAGES = ['expiredChecking', 'copy', 'copied', 'pressCtrlC', 'simulating', 'simulated', 'countdownDays'] as const;

/**
 * A translated sentence with markup in its placeholders ("Expires in {countdown} · at {time}"):
 * the sentence's own words are escaped, the parts are already safe. Word order stays the language's.
 */
function sentence(template: string, parts: Record<string, SafeHtml | string>): SafeHtml {
  return trustedHtml(
    template
      .split(/(\{\w+\})/)
      .map((piece) => {
        const name = /^\{(\w+)\}$/.exec(piece)?.[1];
        if (name === undefined || !(name in parts)) return escapeHtml(piece);
        const part = parts[name];
        return part instanceof SafeHtml ? part.value : escapeHtml(part);
      })
      .join(''),
  );
}

export function renderCheckoutPage(m: CheckoutPageModel): string {
  const c = m.checkout;
  const language = m.language ?? 'en';
  const t = translator(language);
  const locale = intlLocale(language);
  const screen = screenOf(c);
  const final = isFinal(c, m.now.getTime());
  // A top-up checkout (no amount) shows what was paid once it is.
  const topUp = c.amountSats === 0;
  const sats = formatSats(topUp ? (c.amountPaidSats ?? 0) : c.amountSats, locale);
  const store = m.storeName;
  const titles: Record<Screen, string> = {
    New: topUp ? t('titleNewAnyAmount', { store }) : t('titleNew', { sats, store }),
    Settled: t('titlePaid', { store }),
    Expired: t('titleExpired', { store }),
    Invalid: t('titleCanceled', { store }),
    PaidLate: t('titlePaidLate', { store }),
  };
  const panel = (which: Screen, className: string, content: HtmlValue) =>
    html`<section class="${className}" data-screen-for="${which}" data-title="${titles[which]}" aria-live="polite"${trustedHtml(which === screen ? '' : ' hidden')}>${content}</section>`;
  const backToShop = m.storeWebsite ? html`<a class="button secondary" href="${m.storeWebsite}">${t('backTo', { store })}</a>` : '';

  const head = html`<meta http-equiv="refresh" content="${NO_SCRIPT_REFRESH_SECONDS}">`;
  const refresh =
    screen === 'Settled' && m.redirectUrl
      ? // Sends the customer back to the shop even without JavaScript.
        html`<meta http-equiv="refresh" content="${REDIRECT_SECONDS};url=${m.redirectUrl.replace(/'/g, '%27')}">`
      : !final
        ? html`<noscript>${head}</noscript>`
        : '';

  const body = html`
${m.devBackend ? html`<div class="dev-banner" role="note">${t('devBanner')}</div>` : ''}
<main>
  <div class="card">
    <button type="button" class="modal-close" id="modal-close" aria-label="${t('close')}" hidden>×</button>
    <header class="merchant${m.logoUrl ? ' with-logo' : ''}">
      ${m.logoUrl ? html`<img class="logo" src="${m.logoUrl}" alt="${t('logoAlt', { store })}" referrerpolicy="no-referrer" decoding="async">` : ''}
      <div class="who">
        <p class="label">${t('payWithLightning')}</p>
        <h1>${store}</h1>
        ${description(c, t)}
      </div>
    </header>
    ${amount(m, t, locale, sats, topUp && screen === 'New')}
    ${panel('New', 'panel', newScreen(m, t, locale))}
    ${panel(
      'Settled',
      'state ok',
      html`<div class="icon">${ICONS.check}</div>
      <h2>${t('paidTitle')}</h2>
      <p>${t('paidText', { store, sats })}</p>
      ${
        m.redirectUrl
          ? html`<p>${sentence(t('returning'), { seconds: html`<span id="redirect-seconds">${REDIRECT_SECONDS}</span>` })}</p>
      <a class="button" href="${m.redirectUrl}">${t('returnTo', { store })}</a>`
          : html`<p>${t('closePage')}</p>`
      }`,
    )}
    ${panel(
      'Expired',
      'state warn',
      html`<div class="icon">${ICONS.clock}</div>
      <h2>${t('expiredTitle')}</h2>
      <p>${t('expiredText', { store })}</p>
      ${backToShop}`,
    )}
    ${panel(
      'Invalid',
      'state bad',
      html`<div class="icon">${ICONS.cross}</div>
      <h2>${t('canceledTitle')}</h2>
      <p>${t('canceledText', { store })}</p>
      ${backToShop}`,
    )}
    ${panel(
      'PaidLate',
      'state warn',
      html`<div class="icon">${ICONS.alert}</div>
      <h2>${t('paidLateTitle')}</h2>
      <p>${t('paidLateText', { store })}</p>
      ${backToShop}`,
    )}
  </div>
</main>
<footer>
  ${languagePicker(language, t, m.keepQuery ?? {})}
  <p>${sentence(t('checkoutRef'), { id: html`<code>${c.id}</code>` })} · Lightning Checkout</p>
</footer>`;

  const messages = Object.fromEntries(SCRIPT_MESSAGES.map((key) => [key, t(key)]));
  return document({
    title: titles[screen],
    language,
    nonce: m.nonce,
    head: refresh,
    bodyAttributes: html`data-checkout-id="${c.id}" data-screen="${screen}" data-expires-at="${c.expiresAt.toISOString()}" data-server-now="${m.now.getTime()}" data-redirect-url="${m.redirectUrl ?? ''}" data-redirect-seconds="${REDIRECT_SECONDS}" data-final="${final}" data-frame-origins="${(m.frameOrigins ?? []).join(' ')}" data-messages="${JSON.stringify(messages)}"`,
    body,
    script: true,
  });
}

/**
 * A fiat price leads, as the shopper saw it in the shop, with the sats below and the rate behind
 * "view details"; a sats or BTC price shows the sats as before.
 */
function amount(m: CheckoutPageModel, t: Translate, locale: string, sats: string, anyAmount: boolean): SafeHtml {
  const c = m.checkout;
  const satsLine = anyAmount ? html`<p class="sats">${t('anyAmount')}</p>` : html`<p class="sats">${sats} <small>sats</small></p>`;
  if (c.currency === 'SATS') return html`<div class="amount">${satsLine}</div>`;
  const price = formatPrice(c.amount, c.currency, locale);
  const priceText = html`${price.text}${price.code ? html` <small>${price.code}</small>` : ''}`;
  if (c.currency === 'BTC') return html`<div class="amount">${satsLine}<p class="fiat">${priceText}</p></div>`;
  const details = rateDetails(c, t, locale);
  return html`<div class="amount fiat-led">
      <p class="price">${priceText}</p>
      ${anyAmount ? '' : html`<p class="sats-below">${sats} sats</p>`}
      ${
        details
          ? html`<details class="rate-details">
        <summary>${t('viewDetails')}</summary>
        <dl>
          <div><dt>${t('detailsRate')}</dt><dd class="rate">${details.rate}</dd></div>
          <div><dt>${t('detailsSources')}</dt><dd>${details.sources}</dd></div>
          <div><dt>${t('detailsRateTime')}</dt><dd>${localTime(details.at, locale)}</dd></div>
          <div><dt>${t('detailsSpread')}</dt><dd>${details.spread}</dd></div>
        </dl>
      </details>`
          : ''
      }
    </div>`;
}

/** A moment shown in UTC without JavaScript; the page script rewrites it in the shopper's time zone. */
function localTime(at: Date, locale: string, id?: string): SafeHtml {
  const utc = formatUtc(at, locale);
  return html`<time${id ? trustedHtml(` id="${id}"`) : ''} datetime="${at.toISOString()}" title="${utc}" data-local>${utc}</time>`;
}

function description(c: Checkout, t: Translate): SafeHtml | '' {
  const parts = [c.orderId ? t('order', { orderId: c.orderId }) : null, c.description].filter((p): p is string => !!p);
  return parts.length ? html`<p class="what">${parts.join(' · ')}</p>` : '';
}

function languagePicker(current: Language, t: Translate, keep: Record<string, string>): SafeHtml {
  const links = LANGUAGES.map((language) => {
    const query = new URLSearchParams({ ...keep, lang: language }).toString();
    return html`<a href="?${query}" hreflang="${language}" lang="${language}"${trustedHtml(language === current ? ' aria-current="true"' : '')}>${MESSAGES[language].languageName}</a>`;
  });
  return html`<nav class="langs" aria-label="${t('languagePicker')}">${links}</nav>`;
}

function newScreen(m: CheckoutPageModel, t: Translate, locale: string): SafeHtml {
  const c = m.checkout;
  const walletUri = `lightning:${c.bolt11}`;
  const total = Math.max(1, Math.round((c.expiresAt.getTime() - c.createdAt.getTime()) / 1000));
  const left = Math.min(total, Math.max(0, Math.round((c.expiresAt.getTime() - m.now.getTime()) / 1000)));
  const qr = m.qrSvg.replace('<svg ', `<svg role="img" aria-label="${escapeHtml(t('qrLabel'))}" `);
  return html`
      <a class="qr" href="${walletUri}" title="${t('openInWalletTitle')}">${trustedHtml(qr)}</a>
      <div class="expiry">
        <progress id="time-left" max="${total}" value="${left}" aria-label="${t('timeLeft')}"></progress>
        <p class="countdown">${sentence(t('expiry'), {
          countdown: html`<strong id="countdown">${formatRemaining(c.expiresAt.getTime() - m.now.getTime(), t('countdownDays'))}</strong>`,
          time: localTime(c.expiresAt, locale, 'expires-at'),
        })}</p>
      </div>
      <div class="invoice">
        <div class="head"><span>${t('lightningInvoice')}</span><button type="button" class="copy" id="copy" hidden>${t('copy')}</button></div>
        <div class="box"><code id="bolt11">${c.bolt11}</code></div>
      </div>
      <a class="button" href="${walletUri}">${ICONS.bolt} ${t('openInWallet')}</a>
      <p class="live"><span class="dot" aria-hidden="true"></span><span id="live-text">${t('waiting')}</span></p>
      ${
        m.devBackend
          ? html`<form class="simulate" id="simulate-form" method="post" action="/i/${encodeURIComponent(c.id)}/simulate-payment">
        <p><strong>${t('simulateTitle')}</strong> ${t('simulateNote')}</p>
        <button class="button" type="submit">${t('simulate')}</button>
      </form>`
          : ''
      }`;
}

export function renderNotFoundPage(nonce: string, language: Language = 'en'): string {
  const t = translator(language);
  return document({
    title: t('notFoundTitle'),
    language,
    nonce,
    head: '',
    bodyAttributes: html``,
    body: html`
<main>
  <div class="card notfound">
    <div class="state bad"><div class="icon">${ICONS.cross}</div>
      <h2>${t('notFoundTitle')}</h2>
      <p>${t('notFoundText')}</p>
    </div>
  </div>
</main>`,
    script: false,
  });
}

export function renderErrorPage(nonce: string, language: Language = 'en'): string {
  const t = translator(language);
  return document({
    title: t('unavailableTitle'),
    language,
    nonce,
    head: html`<meta http-equiv="refresh" content="${NO_SCRIPT_REFRESH_SECONDS}">`,
    bodyAttributes: html``,
    body: html`
<main>
  <div class="card notfound">
    <div class="state warn"><div class="icon">${ICONS.alert}</div>
      <h2>${t('unavailableTitle')}</h2>
      <p>${t('unavailableText')}</p>
    </div>
  </div>
</main>`,
    script: false,
  });
}

function document(p: { title: string; language: Language; nonce: string; head: HtmlValue; bodyAttributes: SafeHtml; body: SafeHtml; script: boolean }): string {
  return html`<!doctype html>
<html lang="${p.language}">
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
