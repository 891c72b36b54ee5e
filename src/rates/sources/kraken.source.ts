import { RateProvider, Quotes } from '../rate-provider';
import { getJson, isRecord, joinUrl, priceField, SourceError } from './source-http';

/**
 * Kraken public REST "Get Ticker Information": GET /0/public/Ticker?pair=XBTUSD,XBTCHF answers
 * `{"error": [], "result": {"XXBTZUSD": {"c": ["<last price>", "<lot volume>"], ...}}}`; older
 * pairs are keyed with X/Z prefixes (XXBTZUSD), newer ones without (XBTCHF). The price is the last
 * trade, `c[0]`, a string.
 */
export class KrakenSource extends RateProvider {
  readonly name = 'kraken';
  readonly label = 'Kraken';
  constructor(private readonly url: string) {
    super();
  }

  async quote(currencies: readonly string[], signal: AbortSignal): Promise<Quotes> {
    const body = await getJson(joinUrl(this.url, `/0/public/Ticker?pair=${currencies.map((c) => `XBT${c}`).join(',')}`), signal);
    if (!isRecord(body) || !Array.isArray(body.error)) throw new SourceError('kraken: unexpected answer');
    if (body.error.length > 0) throw new SourceError(`kraken: ${body.error.map(String).join('; ').slice(0, 200)}`);
    if (!isRecord(body.result)) throw new SourceError('kraken: no result');
    const result = body.result;
    const quotes: Quotes = new Map();
    for (const currency of currencies) {
      const key = [`XXBTZ${currency}`, `XBT${currency}`].find((k) => k in result);
      if (!key) continue;
      const ticker = result[key];
      if (!isRecord(ticker) || !Array.isArray(ticker.c)) throw new SourceError(`kraken: ${key} has no last trade`);
      quotes.set(currency, priceField(ticker.c[0], `kraken ${key}.c[0]`));
    }
    return quotes;
  }
}
