import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * Local HTTP servers answering exactly as each exchange's public API documents it (field names,
 * nesting, strings vs JSON numbers), so the rate sources are tested against the real shapes and no
 * test ever calls a real exchange. Documents replayed (as read through the search tool):
 * - Kraken: "Get Ticker Information", https://docs.kraken.com/api/docs/rest-api/get-ticker-information
 *   (its example body: `{"error": [], "result": {"XXBTZUSD": {"a": […], "c": ["30303.20000", …], …}}}`)
 * - Bitstamp: HTTP API v2 "Ticker", GET /api/v2/ticker/{currency_pair}/ (https://www.bitstamp.net/api/,
 *   fields as in its OpenAPI "Ticker" schema: timestamp, open, high, low, last, volume, vwap, bid, ask,
 *   side, open_24, percent_change_24, market_type — all strings)
 * - Coinbase: Data API "Get Exchange Rates", https://docs.cdp.coinbase.com/coinbase-app/track-apis/exchange-rates
 *   (GET /v2/exchange-rates?currency=BTC → `{"data": {"currency": "BTC", "rates": {"USD": "…"}}}`)
 * - CoinGecko: /simple/price, https://docs.coingecko.com/docs/1-get-data-by-id-or-address and the
 *   parameters of its OpenAPI (ids, vs_currencies, precision=full): `{"bitcoin": {"usd": 67187.33}}`, numbers
 * - Bitfinex: API v2 "Ticker" fields, https://docs.bitfinex.com/reference/rest-public-ticker, served by
 *   GET /v2/tickers?symbols=tBTCUSD,… as one array per symbol with SYMBOL first, numbers
 */
export type ExchangeName = 'kraken' | 'bitstamp' | 'coinbase' | 'coingecko' | 'bitfinex';
export type Behaviour = 'up' | 'down' | 'slow' | 'garbage' | 'absurd' | 'endless';

export interface FakeExchange {
  name: ExchangeName;
  url: string;
  /** Price of 1 BTC per currency, as decimal text (sent as a string or a JSON number as the API does). */
  prices: Record<string, string>;
  behaviour: Behaviour;
  /** Requests received (path + query). */
  requests: string[];
  /** Connections a client has closed while an 'endless' answer was still being sent. */
  endlessClosed: number;
  close(): Promise<void>;
}

/** Kraken's keys: X/Z-prefixed for its oldest pairs, plain for newer ones. */
const KRAKEN_KEYS: Record<string, string> = {
  USD: 'XXBTZUSD',
  EUR: 'XXBTZEUR',
  GBP: 'XXBTZGBP',
  JPY: 'XXBTZJPY',
  CAD: 'XXBTZCAD',
  CHF: 'XBTCHF',
  AUD: 'XBTAUD',
};

function answer(ex: FakeExchange, url: URL): { status: number; body: string } {
  const p = ex.prices;
  switch (ex.name) {
    case 'kraken': {
      const pairs = (url.searchParams.get('pair') ?? '').split(',');
      const result: Record<string, unknown> = {};
      for (const pair of pairs) {
        const currency = pair.replace(/^XBT/, '');
        // Kraken refuses the whole request when one pair is unknown.
        if (!p[currency]) return { status: 200, body: JSON.stringify({ error: ['EQuery:Unknown asset pair'] }) };
        const last = p[currency];
        result[KRAKEN_KEYS[currency] ?? `XBT${currency}`] = {
          a: [last, '1', '1.000'],
          b: [last, '1', '1.000'],
          c: [last, '0.00067643'],
          v: ['4083.67001100', '4412.73601799'],
          p: [last, last],
          t: [34619, 38907],
          l: [last, last],
          h: [last, last],
          o: last,
        };
      }
      return { status: 200, body: JSON.stringify({ error: [], result }) };
    }
    case 'bitstamp': {
      const match = /^\/api\/v2\/ticker\/btc([a-z]{3})\/$/.exec(url.pathname);
      const currency = match?.[1].toUpperCase();
      if (!currency || !p[currency]) return { status: 404, body: JSON.stringify({ errors: [{ message: 'Not Found' }] }) };
      const last = p[currency];
      return {
        status: 200,
        body: JSON.stringify({
          timestamp: '1733090000',
          open: last,
          high: last,
          low: last,
          last,
          volume: '1520.12345678',
          vwap: last,
          bid: last,
          ask: last,
          side: '0',
          open_24: last,
          percent_change_24: '0.12',
          market_type: 'SPOT',
        }),
      };
    }
    case 'coinbase': {
      if (url.pathname !== '/v2/exchange-rates' || url.searchParams.get('currency') !== 'BTC') return { status: 404, body: '{"errors":[{"id":"not_found"}]}' };
      // Strings, every currency in one answer (plus crypto assets, which the source ignores).
      return { status: 200, body: JSON.stringify({ data: { currency: 'BTC', rates: { ...p, ETH: '31.5', USDC: p.USD ?? '100000' } } }) };
    }
    case 'coingecko': {
      if (url.pathname !== '/api/v3/simple/price' || url.searchParams.get('ids') !== 'bitcoin') return { status: 404, body: '{"error":"not found"}' };
      const vs = (url.searchParams.get('vs_currencies') ?? '').split(',');
      // JSON numbers, written out digit for digit as CoinGecko sends them with precision=full.
      const fields = vs.filter((c) => p[c.toUpperCase()]).map((c) => `"${c}":${p[c.toUpperCase()]}`);
      return { status: 200, body: `{"bitcoin":{${fields.join(',')}}}` };
    }
    case 'bitfinex': {
      const symbols = (url.searchParams.get('symbols') ?? '').split(',');
      const rows = symbols
        .filter((s) => p[s.replace(/^tBTC/, '')])
        .map((s) => {
          const last = p[s.replace(/^tBTC/, '')];
          // [SYMBOL, BID, BID_SIZE, ASK, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_RELATIVE, LAST_PRICE, VOLUME, HIGH, LOW], numbers.
          return `["${s}",${last},12.5,${last},9.75,-120,-0.0012,${last},1520.5,${last},${last}]`;
        });
      return { status: 200, body: `[${rows.join(',')}]` };
    }
  }
}

export async function startFakeExchange(name: ExchangeName, prices: Record<string, string>): Promise<FakeExchange> {
  const sockets = new Set<import('node:net').Socket>();
  const ex: FakeExchange = { name, url: '', prices, behaviour: 'up', requests: [], endlessClosed: 0, close: async () => undefined };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    ex.requests.push(url.pathname + url.search);
    const send = (status: number, body: string, type = 'application/json') => res.writeHead(status, { 'content-type': type }).end(body);
    switch (ex.behaviour) {
      case 'down':
        return send(503, '<html><body>503 Service Temporarily Unavailable</body></html>', 'text/html');
      case 'slow':
        // Answers correctly, but only after any sensible timeout.
        return void setTimeout(() => {
          const a = answer(ex, url);
          if (!res.destroyed) send(a.status, a.body);
        }, 5_000).unref();
      case 'garbage':
        return send(200, name === 'coingecko' ? '{"bitcoin":{"chf":"n/a","jpy":"n/a","usd":"n/a"}}' : '{"result": <html>');
      case 'endless': {
        // 200 and a JSON start, then whitespace as fast as the client reads, never ending.
        res.writeHead(200, { 'content-type': 'application/json' }).write('{"result":');
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
        };
        res.on('drain', pump);
        res.on('close', () => (ex.endlessClosed += 1));
        return pump();
      }
      case 'absurd': {
        const saved = ex.prices;
        ex.prices = Object.fromEntries(Object.keys(saved).map((c) => [c, '1' + '0'.repeat(20)]));
        const a = answer(ex, url);
        ex.prices = saved;
        return send(a.status, a.body);
      }
      default: {
        const a = answer(ex, url);
        return send(a.status, a.body);
      }
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ex.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ex.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return ex;
}

export interface FakeExchanges {
  all: Record<ExchangeName, FakeExchange>;
  /** `rates.sources` pointing every source at its local server. */
  sourcesConfig(): Record<ExchangeName, { url: string }>;
  close(): Promise<void>;
}

export async function startFakeExchanges(prices: Record<ExchangeName, Record<string, string>>): Promise<FakeExchanges> {
  const names = Object.keys(prices) as ExchangeName[];
  const started = await Promise.all(names.map((n) => startFakeExchange(n, prices[n])));
  const all = Object.fromEntries(started.map((e) => [e.name, e])) as Record<ExchangeName, FakeExchange>;
  return {
    all,
    sourcesConfig: () => Object.fromEntries(started.map((e) => [e.name, { url: e.url }])) as Record<ExchangeName, { url: string }>,
    close: async () => void (await Promise.all(started.map((e) => e.close()))),
  };
}

/**
 * Live-rate configuration for tests: every currency key set explicitly (config merging keeps the
 * defaults' keys, so those are emptied) and every source at a local server: nothing leaves the host.
 */
export function liveRatesConfig(ex: FakeExchanges, currencies: Record<string, string[]>, extra: Record<string, unknown> = {}) {
  const emptied = Object.fromEntries(['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', '*'].map((c) => [c, [] as string[]]));
  return { provider: 'live', currencies: { ...emptied, ...currencies }, sources: ex.sourcesConfig(), ...extra };
}
