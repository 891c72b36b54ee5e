/** The page's whole stylesheet, inlined: the page loads nothing from anywhere else. */
export const PAGE_CSS = `
:root {
  --bg: #f3f4f6; --card: #ffffff; --text: #111827; --muted: #6b7280; --line: #e5e7eb;
  --accent: #f7931a; --accent-text: #1f1300; --ok: #059669; --ok-bg: #ecfdf5; --warn: #b45309;
  --warn-bg: #fffbeb; --bad: #dc2626; --bad-bg: #fef2f2; --code-bg: #f9fafb;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0b0f17; --card: #151b26; --text: #f3f4f6; --muted: #9ca3af; --line: #273041;
    --ok: #34d399; --ok-bg: #0d2a22; --warn: #fbbf24; --warn-bg: #2b2110; --bad: #f87171;
    --bad-bg: #2c1414; --code-bg: #0f141d;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; min-height: 100vh; background: var(--bg); color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  display: flex; flex-direction: column; align-items: center;
}
[hidden] { display: none !important; }
.dev-banner {
  width: 100%; padding: 8px 12px; text-align: center; font-weight: 700; font-size: 13px; letter-spacing: .04em;
  color: #1f1300; background: repeating-linear-gradient(135deg, #facc15 0 14px, #fde047 14px 28px);
  border-bottom: 2px solid #a16207;
}
main { width: 100%; max-width: 440px; padding: 20px 14px 8px; flex: 1; }
.card {
  background: var(--card); border: 1px solid var(--line); border-radius: 16px;
  box-shadow: 0 1px 2px rgba(0,0,0,.04), 0 8px 24px rgba(0,0,0,.06); overflow: hidden;
}
.merchant { padding: 18px 20px 14px; border-bottom: 1px solid var(--line); }
.merchant .label { margin: 0; font-size: 12px; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); }
.merchant h1 { margin: 2px 0 0; font-size: 20px; line-height: 1.3; overflow-wrap: anywhere; }
.merchant .what { margin: 4px 0 0; color: var(--muted); font-size: 14px; overflow-wrap: anywhere; }
.merchant.with-logo { display: flex; align-items: center; gap: 14px; }
.merchant .who { min-width: 0; }
.merchant .logo { flex: none; display: block; width: auto; height: auto; max-width: 96px; max-height: 52px; object-fit: contain; border-radius: 8px; }
.card:has(.modal-close:not([hidden])) .merchant { padding-right: 56px; }
.amount { padding: 16px 20px 4px; text-align: center; }
.amount .sats { margin: 0; font-size: 32px; font-weight: 750; letter-spacing: -.01em; font-variant-numeric: tabular-nums; }
.amount .sats small { font-size: 18px; font-weight: 600; color: var(--muted); }
.amount .fiat { margin: 2px 0 0; color: var(--muted); font-size: 15px; }
.amount .fiat small, .amount .price small { font-size: .55em; font-weight: 600; color: var(--muted); letter-spacing: .02em; }
.amount .price { margin: 0; font-size: 34px; line-height: 1.2; font-weight: 750; letter-spacing: -.01em; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.amount .sats-below { margin: 2px 0 0; color: var(--muted); font-size: 15px; font-variant-numeric: tabular-nums; }
.rate-details { margin: 8px auto 0; max-width: 340px; font-size: 13px; color: var(--muted); text-align: left; }
.rate-details summary { width: max-content; margin: 0 auto; padding: 2px 8px; border-radius: 6px; cursor: pointer; text-align: center; color: var(--text); text-decoration: underline; text-decoration-color: var(--line); text-underline-offset: 3px; }
.rate-details summary:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.rate-details dl { margin: 8px 0 0; padding: 8px 12px; border: 1px solid var(--line); border-radius: 10px; background: var(--code-bg); }
.rate-details dl div { display: flex; justify-content: space-between; gap: 12px; padding: 3px 0; }
.rate-details dl div + div { border-top: 1px solid var(--line); }
.rate-details dt { flex: none; max-width: 60%; }
.rate-details dd { margin: 0; color: var(--text); text-align: right; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
.panel { padding: 12px 20px 20px; }
/* The SVG carries its own white quiet zone of 4 modules: no padding needed around it. */
.qr {
  display: block; width: min(100%, 300px); margin: 8px auto 0; padding: 0; border-radius: 12px; overflow: hidden;
  background: #fff; border: 1px solid var(--line); line-height: 0;
}
.qr svg { width: 100%; height: auto; display: block; }
.expiry { margin: 12px 0 0; }
.expiry progress {
  display: block; width: min(100%, 300px); height: 6px; margin: 0 auto; border: 0; border-radius: 999px; overflow: hidden;
  -webkit-appearance: none; appearance: none; background: var(--line); color: var(--accent);
}
.expiry progress::-webkit-progress-bar { background: var(--line); border-radius: 999px; }
.expiry progress::-webkit-progress-value { background: var(--accent); border-radius: 999px; transition: width 1s linear; }
.expiry progress::-moz-progress-bar { background: var(--accent); border-radius: 999px; }
body.expiring .expiry progress::-webkit-progress-value { background: var(--bad); }
body.expiring .expiry progress::-moz-progress-bar { background: var(--bad); }
.countdown { margin: 8px 0 0; text-align: center; font-size: 14px; color: var(--muted); }
.countdown time { white-space: nowrap; }
.countdown strong { color: var(--text); font-variant-numeric: tabular-nums; font-size: 15px; }
body.expiring .countdown strong { color: var(--bad); }
.invoice { margin-top: 14px; }
.invoice .head { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin-bottom: 6px; }
.invoice .head span { font-size: 12px; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); }
.invoice .box { padding: 8px 10px; border-radius: 8px; background: var(--code-bg); border: 1px solid var(--line); }
.invoice code {
  display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; line-clamp: 3; overflow: hidden;
  font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  word-break: break-all; color: var(--muted); user-select: all; -webkit-user-select: all;
}
.button {
  display: flex; align-items: center; justify-content: center; gap: 8px; width: 100%; min-height: 48px; margin-top: 14px;
  padding: 10px 16px; border-radius: 10px; border: 0; font: inherit; font-weight: 650; text-decoration: none; cursor: pointer;
  background: var(--accent); color: var(--accent-text);
}
.button:hover { filter: brightness(1.05); }
.button:focus-visible, .copy:focus-visible, a:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.button.secondary { background: transparent; color: var(--text); border: 1px solid var(--line); }
.copy {
  font: inherit; font-size: 13px; font-weight: 600; padding: 4px 12px; border-radius: 999px; cursor: pointer;
  border: 1px solid var(--line); background: var(--card); color: var(--text);
}
.copy.done { color: var(--ok); border-color: var(--ok); }
.card { position: relative; }
.modal-close {
  position: absolute; top: 10px; right: 10px; width: 36px; height: 36px; border-radius: 50%; cursor: pointer;
  font: inherit; font-size: 22px; line-height: 1; border: 1px solid var(--line); background: var(--card); color: var(--text);
}
.modal-close:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
body.framed { background: transparent; }
.live { display: flex; align-items: center; justify-content: center; gap: 8px; margin: 14px 0 0; font-size: 14px; color: var(--muted); }
.live .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--accent); animation: pulse 1.6s ease-in-out infinite; }
@keyframes pulse { 0%, 100% { opacity: 1; transform: scale(1); } 50% { opacity: .35; transform: scale(.75); } }
.simulate { margin-top: 16px; padding: 12px; border: 1px dashed #ca8a04; border-radius: 10px; background: var(--warn-bg); }
.simulate p { margin: 0 0 8px; font-size: 13px; color: var(--warn); }
.simulate .button { margin-top: 0; min-height: 40px; background: #ca8a04; color: #fff; }
.simulate .button:disabled { opacity: .7; cursor: progress; }
.state { text-align: center; padding: 28px 24px 24px; }
.state .icon { width: 72px; height: 72px; margin: 0 auto 10px; border-radius: 50%; display: grid; place-items: center; }
.state .icon svg { width: 40px; height: 40px; }
.state h2 { margin: 0; font-size: 26px; }
/* Focus moves to the new heading for screen readers; it is not an input, so no ring around it. */
.state h2:focus { outline: none; }
.state p { margin: 8px 0 0; color: var(--muted); overflow-wrap: anywhere; }
.state.ok .icon { background: var(--ok-bg); color: var(--ok); }
.state.ok h2 { color: var(--ok); }
.state.warn .icon { background: var(--warn-bg); color: var(--warn); }
.state.bad .icon { background: var(--bad-bg); color: var(--bad); }
.state.ok .icon svg path { stroke-dasharray: 40; animation: draw .5s .15s ease-out both; }
@keyframes draw { from { stroke-dashoffset: 40; } to { stroke-dashoffset: 0; } }
.state .button { margin-top: 20px; }
footer { padding: 12px 16px 20px; font-size: 12px; color: var(--muted); text-align: center; }
footer p { margin: 6px 0 0; overflow-wrap: anywhere; }
.langs { display: flex; flex-wrap: wrap; justify-content: center; gap: 2px 4px; font-size: 13px; }
.langs a { padding: 4px 6px; border-radius: 6px; color: var(--muted); text-decoration: none; }
.langs a:hover { color: var(--text); text-decoration: underline; }
.langs a[aria-current] { color: var(--text); font-weight: 650; }
/* In the modal the page lies on the shop's dimmed overlay: the foot gets a card of its own to stay readable. */
body.framed footer { margin: 4px 14px 16px; padding: 8px 12px; border-radius: 12px; background: var(--card); border: 1px solid var(--line); }
footer code { font-size: 11px; }
.notfound { padding: 12px 0; }
@media (prefers-reduced-motion: reduce) { *, *::before, *::after { animation: none !important; } }
@media (max-width: 360px) { .amount .sats, .amount .price { font-size: 28px; } .panel, .merchant, .amount { padding-left: 14px; padding-right: 14px; } }
`;
