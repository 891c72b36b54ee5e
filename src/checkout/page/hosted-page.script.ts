/**
 * The page's only script (ES2017, no build step): the countdown, the live status over SSE with a
 * polling fallback, the copy button, the dev "simulate payment" without a reload, and times in the
 * shopper's own time zone. Everything it needs comes from data attributes on <body> (its texts, in
 * the page's language, from data-messages); without it the page still works (refresh + form, UTC).
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var body = document.body;
  var data = body.dataset;
  var base = '/i/' + encodeURIComponent(data.checkoutId);
  var expiresAt = Date.parse(data.expiresAt);
  // The server's clock decides expiry; correct for a customer's clock that is off.
  var skew = Number(data.serverNow) - Date.now();
  var screen = data.screen;
  var redirectUrl = data.redirectUrl || '';
  var redirectSeconds = Number(data.redirectSeconds) || 5;
  var POLL_MS = 3000;
  var text = {};
  try { text = JSON.parse(data.messages || '{}'); } catch (err) { /* English defaults below */ }
  function t(key, fallback) { return text[key] || fallback; }

  function byId(id) { return document.getElementById(id); }

  // Times in the shopper's time zone, in the page's language with the browser's regional habits
  // (a page in English shows 2:05 PM to en-US and 14:05 to en-GB). The server wrote them in UTC.
  var lang = document.documentElement.lang || 'en';
  var locale = lang;
  var preferred = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
  for (var p = 0; p < preferred.length; p++) {
    if (String(preferred[p]).toLowerCase().split('-')[0] === lang) { locale = preferred[p]; break; }
  }
  function localTime(date) {
    var now = new Date();
    // A 24-hour clock reads 03:14 ("um 03:14"), a 12-hour one 3:14 AM.
    var cycle = '';
    try { cycle = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle || ''; } catch (err) { /* older browser */ }
    var options = { hour: cycle === 'h23' || cycle === 'h24' ? '2-digit' : 'numeric', minute: '2-digit' };
    if (date.toDateString() !== now.toDateString()) { options.day = 'numeric'; options.month = 'short'; }
    if (date.getFullYear() !== now.getFullYear()) options.year = 'numeric';
    try { return new Intl.DateTimeFormat(locale, options).format(date); } catch (err) { return new Intl.DateTimeFormat(lang, options).format(date); }
  }
  var times = document.querySelectorAll('time[data-local]');
  for (var ti = 0; ti < times.length; ti++) {
    var at = new Date(times[ti].getAttribute('datetime'));
    if (!isNaN(at.getTime()) && window.Intl) times[ti].textContent = localTime(at);
  }

  function screenOf(s) { return s.additionalStatus === 'PaidLate' ? 'PaidLate' : s.status; }

  // Modal checkout (BTCPay's btcpay.js protocol): framed by an allowed shop, the page says 'loaded',
  // reports each status change as {invoiceId, status} and 'close' from its close button. Messages go
  // only to the allowed shop origins, never '*': the invoice id is the capability to this page.
  var framed = window.parent !== window;
  var frameOrigins = (data.frameOrigins || '').split(' ').filter(Boolean);
  function tellShop(message) {
    if (!framed) return;
    for (var i = 0; i < frameOrigins.length; i++) {
      try { window.parent.postMessage(message, frameOrigins[i]); } catch (err) { /* not that origin */ }
    }
  }
  var lastStatus = null;
  function report(status) {
    if (!status || !status.status || status.status === lastStatus) return;
    var first = lastStatus === null;
    lastStatus = status.status;
    if (!first) tellShop({ invoiceId: data.checkoutId, status: status.status });
  }
  if (framed && frameOrigins.length) {
    body.classList.add('framed');
    lastStatus = screen === 'PaidLate' ? 'Expired' : screen;
    var closeButton = byId('modal-close');
    if (closeButton) {
      closeButton.hidden = false;
      closeButton.addEventListener('click', function () { tellShop('close'); });
    }
    tellShop('loaded');
  }

  function show(status) {
    report(status);
    var next = screenOf(status);
    if (!next || next === screen || !document.querySelector('[data-screen-for="' + next + '"]')) return;
    screen = next;
    body.setAttribute('data-screen', next);
    var panels = document.querySelectorAll('[data-screen-for]');
    for (var i = 0; i < panels.length; i++) panels[i].hidden = panels[i].getAttribute('data-screen-for') !== next;
    var panel = document.querySelector('[data-screen-for="' + next + '"]');
    if (panel.getAttribute('data-title')) document.title = panel.getAttribute('data-title');
    var heading = panel.querySelector('h2');
    if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({ preventScroll: true }); }
    if (next !== 'New') stopCountdown();
    if (next === 'Settled') startRedirect();
  }

  // Countdown
  var countdown = byId('countdown');
  var progress = byId('time-left');
  var countdownTimer = null;
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function remaining(ms) {
    // Not named t: that is the translator, which the days' template needs.
    var total = Math.max(0, Math.floor(ms / 1000));
    var d = Math.floor(total / 86400), h = Math.floor((total % 86400) / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    if (d > 0) return t('countdownDays', '{d}d {h}h {m}m').replace('{d}', d).replace('{h}', h).replace('{m}', m);
    return h > 0 ? h + ':' + pad(m) + ':' + pad(s) : m + ':' + pad(s);
  }
  function tick() {
    var left = expiresAt - (Date.now() + skew);
    countdown.textContent = remaining(left);
    if (progress) progress.value = Math.max(0, Math.min(Number(progress.max), left / 1000));
    body.classList.toggle('expiring', left < 60000);
    if (left <= 0) {
      stopCountdown();
      var live = byId('live-text');
      if (live) live.textContent = t('expiredChecking', 'Invoice expired. Checking for a last-second payment\\u2026');
    }
  }
  function stopCountdown() { if (countdownTimer) { clearInterval(countdownTimer); countdownTimer = null; } }
  if (countdown && screen === 'New' && !isNaN(expiresAt)) { tick(); countdownTimer = setInterval(tick, 1000); }

  // Back to the shop once paid
  var redirectTimer = null;
  function startRedirect() {
    if (!redirectUrl || redirectTimer || framed) return;
    var left = redirectSeconds;
    var counter = byId('redirect-seconds');
    redirectTimer = setInterval(function () {
      left -= 1;
      if (counter) counter.textContent = String(Math.max(left, 0));
      if (left <= 0) { clearInterval(redirectTimer); window.location.assign(redirectUrl); }
    }, 1000);
  }
  if (screen === 'Settled') startRedirect();

  // Live status: Server-Sent Events, polling when they do not get through
  var pollTimer = null;
  function poll() {
    if (pollTimer) return;
    function once() {
      fetch(base + '/status', { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' })
        .then(function (r) {
          if (r.status === 404) { clearInterval(pollTimer); return null; }
          return r.ok ? r.json() : null;
        })
        .then(function (s) { if (s) { show(s); if (s.final) clearInterval(pollTimer); } })
        .catch(function () { /* offline for a moment: the next poll retries */ });
    }
    pollTimer = setInterval(once, POLL_MS);
    once();
  }
  function listen() {
    if (data.final === 'true') return;
    if (!window.EventSource) { poll(); return; }
    var source = new EventSource(base + '/events');
    var failures = 0;
    var opened = false;
    source.onopen = function () { opened = true; };
    source.addEventListener('status', function (e) {
      failures = 0;
      try { show(JSON.parse(e.data)); } catch (err) { /* a malformed event is ignored */ }
    });
    // The server says nothing more will change: do not let the browser reconnect.
    source.addEventListener('end', function () { source.close(); });
    // Never connected (a proxy that blocks streams) or keeps dropping: poll instead.
    source.onerror = function () {
      if (!opened || source.readyState === 2 || ++failures >= 3) { source.close(); poll(); }
    };
  }
  listen();

  // Copy the invoice
  var copy = byId('copy');
  var invoice = byId('bolt11');
  function selectInvoice() {
    var range = document.createRange();
    range.selectNodeContents(invoice);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function legacyCopy(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.top = '0';
    area.style.opacity = '0';
    body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
    body.removeChild(area);
    return ok;
  }
  function copied(ok) {
    if (!ok) selectInvoice();
    copy.textContent = ok ? t('copied', 'Copied') : t('pressCtrlC', 'Press Ctrl+C');
    copy.classList.toggle('done', ok);
    setTimeout(function () { copy.textContent = t('copy', 'Copy'); copy.classList.remove('done'); }, 2000);
  }
  if (copy && invoice) {
    copy.hidden = false;
    copy.addEventListener('click', function () {
      var text = invoice.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { copied(true); }, function () { copied(legacyCopy(text)); });
      } else {
        copied(legacyCopy(text));
      }
    });
  }

  // Dev backend: simulate the payment in place, so the live update is what changes the page
  var simulate = byId('simulate-form');
  if (simulate) {
    simulate.addEventListener('submit', function (e) {
      e.preventDefault();
      var button = simulate.querySelector('button');
      button.disabled = true;
      button.textContent = t('simulating', 'Paying\\u2026');
      fetch(simulate.action, { method: 'POST', headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) {
          if (!r.ok) throw new Error('simulate failed');
          button.textContent = t('simulated', 'Payment sent, waiting for settlement\\u2026');
        })
        .catch(function () { simulate.submit(); });
    });
  }
})();
`;
