import { RateProvider, Quotes } from '../rate-provider';
import { getJson, isRecord, joinUrl, priceField, SourceError } from './source-http';

/**
 * Bitstamp HTTP API v2 ticker: GET /api/v2/ticker/btcusd/ answers one flat object of strings,
 * `{"timestamp": "…", "last": "<last price>", "bid": …, "ask": …, "vwap": …, "open": …, …}`. One
 * request per pair; a pair Bitstamp does not list (HTTP 404) is simply not quoted.
 */
export class BitstampSource extends RateProvider {
  readonly name = 'bitstamp';
  readonly label = 'Bitstamp';
  constructor(private readonly url: string) {
    super();
  }

  async quote(currencies: readonly string[], signal: AbortSignal): Promise<Quotes> {
    const answers = await Promise.allSettled(
      currencies.map(async (currency) => {
        const pair = `btc${currency.toLowerCase()}`;
        const body = await getJson(joinUrl(this.url, `/api/v2/ticker/${pair}/`), signal);
        if (!isRecord(body)) throw new SourceError(`bitstamp: ${pair} answer is not an object`);
        return [currency, priceField(body.last, `bitstamp ${pair}.last`)] as const;
      }),
    );
    const quotes: Quotes = new Map();
    const failures: string[] = [];
    for (const answer of answers) {
      if (answer.status === 'fulfilled') quotes.set(answer.value[0], answer.value[1]);
      else if (!/HTTP 404/.test(String((answer.reason as Error).message))) failures.push((answer.reason as Error).message);
    }
    if (failures.length > 0) throw new SourceError(failures[0]);
    return quotes;
  }
}
