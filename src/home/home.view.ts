import { html, trustedHtml } from '../checkout/page/html';

export interface HomePageInput {
  name: string;
  version: string;
  /** Where links on the page and in the example commands point (server.publicUrl). */
  publicUrl: string;
  /** The dev backend is on: say so, as the hosted page does, since nothing here is real money. */
  devBackend: boolean;
  nonce: string;
}

const CSS = `
:root { --bg: #f3f4f6; --card: #fff; --text: #111827; --muted: #6b7280; --line: #e5e7eb; --accent: #b45309; --code: #f9fafb; color-scheme: light dark; }
@media (prefers-color-scheme: dark) { :root { --bg: #0b0f17; --card: #151b26; --text: #f3f4f6; --muted: #9ca3af; --line: #273041; --accent: #fbbf24; --code: #0f141d; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 720px; margin: 0 auto; padding: 28px 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 20px 22px; margin-bottom: 16px; }
h1 { margin: 0; font-size: 24px; } h1 small { color: var(--muted); font-weight: 500; font-size: 15px; }
h2 { margin: 0 0 8px; font-size: 17px; }
p { margin: 6px 0; } .muted { color: var(--muted); font-size: 14px; }
.dev { color: var(--accent); font-weight: 600; }
ul { margin: 6px 0; padding-left: 20px; } li { margin: 4px 0; }
a { color: inherit; }
pre { background: var(--code); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; overflow-x: auto; font-size: 13px; }
code { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
`;

/**
 * The page at `/`: what this server is and where to go next, for whoever opens the address
 * `npm start` printed. It shows nothing about stores or checkouts, so it needs no key.
 */
export function renderHomePage(input: HomePageInput): string {
  const base = input.publicUrl.replace(/\/$/, '');
  const curl = `curl -s -X POST ${base}/api/v1/checkouts \\
  -H "Authorization: token $KEY" -H 'Content-Type: application/json' \\
  -d '{"amount": "2100", "currency": "SATS", "orderId": "demo-1"}'`;
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${input.name} ${input.version}</title>
<style nonce="${input.nonce}">${trustedHtml(CSS)}</style>
</head>
<body>
<main>
  <div class="card">
    <h1>${input.name} <small>${input.version}</small></h1>
    <p>This server is running. Shops create checkouts over its API; customers pay them over Lightning on the page each checkout links to.</p>
    ${input.devBackend ? html`<p class="dev">Running on the dev Lightning backend: invoices are not real and can be paid with "Simulate payment".</p>` : ''}
  </div>
  <div class="card">
    <h2>Where to go</h2>
    <ul>
      <li><a href="/docs">API documentation</a> (<a href="/docs/openapi.json">OpenAPI JSON</a>)</li>
      <li><a href="/health/ready">Health</a>: whether the database, the Lightning nodes and the other services answer (also <a href="/health/nodes">nodes</a>, <a href="/health/live">live</a>)</li>
    </ul>
  </div>
  <div class="card">
    <h2>Quick start</h2>
    <p>From the project folder (the <code>README.md</code> there has the whole quick start), create a store and its API key:</p>
    <pre><code>npm run cli -- create-store --name "Demo shop"</code></pre>
    <p>then create a checkout with the key it printed, and open the <code>checkoutLink</code> of the answer:</p>
    <pre><code>KEY=lck_...
${curl}</code></pre>
    <p class="muted">Links point at ${base}. If shops or customers reach this server at another address, set <code>PUBLIC_URL</code> (<code>server.publicUrl</code>).</p>
  </div>
</main>
</body>
</html>`.value
  }`;
}
