import { RateProvider, Quotes } from '../rate-provider';
import { getJson, isRecord, joinUrl, priceField, SourceError } from './source-http';

/**
 * Coinbase Data API "Get Exchange Rates": GET /v2/exchange-rates?currency=BTC answers
 * `{"data": {"currency": "BTC", "rates": {"USD": "<units per 1 BTC>", "CHF": …, …}}}`, strings,
 * every currency Coinbase knows in one answer.
 */
export class CoinbaseSource extends RateProvider {
  readonly name = 'coinbase';
  readonly label = 'Coinbase';
  constructor(private readonly url: string) {
    super();
  }

  async quote(currencies: readonly string[], signal: AbortSignal): Promise<Quotes> {
    const body = await getJson(joinUrl(this.url, '/v2/exchange-rates?currency=BTC'), signal);
    const data = isRecord(body) ? body.data : undefined;
    if (!isRecord(data) || data.currency !== 'BTC' || !isRecord(data.rates)) throw new SourceError('coinbase: unexpected answer');
    const rates = data.rates;
    const quotes: Quotes = new Map();
    for (const currency of currencies) {
      if (rates[currency] === undefined) continue;
      quotes.set(currency, priceField(rates[currency], `coinbase data.rates.${currency}`));
    }
    return quotes;
  }
}
