/**
 * `/modal/btcpay.js`: the script a shop page loads to show an invoice in an overlay instead of
 * redirecting, with the same `window.btcpay` API as BTCPay Server's (showInvoice, hideFrame,
 * onModalReceiveMessage, ...), so shop plugins written for BTCPay work unchanged. The hosted page
 * in the frame posts 'loaded', {invoiceId, status} on each status change, and 'close'; only
 * messages from that frame and this server's origin are passed on. ES5, no build step.
 */
export const MODAL_SCRIPT = `(function () {
  'use strict';
  if (window.btcpay) return;
  var SUFFIX = '/modal/btcpay.js';
  var script = document.currentScript;
  var src = script && script.src ? script.src.split(/[?#]/)[0] : '';
  // The server's root, which may include a path prefix: everything before /modal/btcpay.js.
  var base = src.slice(-SUFFIX.length) === SUFFIX ? src.slice(0, -SUFFIX.length) : '';
  var overlay = null;
  var frame = null;
  var showing = false;
  var willEnter = function () {};
  var willLeave = function () {};
  var receivers = [];

  function serverOrigin() {
    try { return new URL(base || '/', window.location.href).origin; } catch (err) { return ''; }
  }

  function build() {
    overlay = document.createElement('div');
    overlay.setAttribute('data-btcpay-modal', '');
    var s = overlay.style;
    s.position = 'fixed'; s.top = '0'; s.left = '0'; s.width = '100%'; s.height = '100%'; s.zIndex = '2147483000';
    s.display = 'none'; s.background = 'rgba(15, 23, 42, 0.6)';
    frame = document.createElement('iframe');
    frame.name = 'btcpay';
    frame.title = 'Lightning checkout';
    frame.setAttribute('allow', 'clipboard-write');
    var f = frame.style;
    f.border = '0'; f.width = '100%'; f.height = '100%'; f.background = 'transparent'; f.colorScheme = 'normal';
    overlay.appendChild(frame);
    document.body.appendChild(overlay);
  }

  function showFrame() {
    if (!overlay) build();
    if (overlay.style.display !== 'block') willEnter();
    overlay.style.display = 'block';
  }

  function hideFrame() {
    if (!overlay) return;
    var wasShown = overlay.style.display !== 'none';
    overlay.style.display = 'none';
    showing = false;
    frame.src = 'about:blank';
    if (wasShown) willLeave();
  }

  function appendInvoiceFrame(invoiceId) {
    if (!invoiceId) return;
    if (!overlay) build();
    showing = true;
    frame.src = base + '/i/' + encodeURIComponent(invoiceId) + '?view=modal';
  }

  function showInvoice(invoiceId) {
    appendInvoiceFrame(invoiceId);
    if (showing) showFrame();
  }

  window.addEventListener('message', function (event) {
    if (!showing || !frame || event.source !== frame.contentWindow || event.origin !== serverOrigin()) return;
    for (var i = 0; i < receivers.length; i++) {
      try { receivers[i](event); } catch (err) { if (window.console) window.console.error(err); }
    }
    if (event.data === 'close') hideFrame();
    else if (event.data === 'loaded') showFrame();
  });

  window.btcpay = {
    showInvoice: showInvoice,
    appendInvoiceFrame: appendInvoiceFrame,
    appendAndShowInvoiceFrame: showInvoice,
    showFrame: showFrame,
    hideFrame: hideFrame,
    onModalWillEnter: function (fn) { willEnter = typeof fn === 'function' ? fn : function () {}; },
    onModalWillLeave: function (fn) { willLeave = typeof fn === 'function' ? fn : function () {}; },
    onModalReceiveMessage: function (fn) { if (typeof fn === 'function') receivers.push(fn); },
    setApiUrlPrefix: function (prefix) { base = String(prefix || '').replace(/\\/+$/, ''); }
  };
})();
`;
