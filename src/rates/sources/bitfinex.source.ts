import { RateProvider, Quotes } from '../rate-provider';
import { getJson, joinUrl, priceField, SourceError } from './source-http';

/** Index of LAST_PRICE in a trading-pair row of /v2/tickers: [SYMBOL, BID, BID_SIZE, ASK, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_RELATIVE, LAST_PRICE, VOLUME, HIGH, LOW]. */
const LAST_PRICE = 7;

/**
 * Bitfinex API v2 public "Tickers": GET /v2/tickers?symbols=tBTCUSD,tBTCEUR answers an array of
 * arrays of JSON numbers (read from their text, see getJson), one row per listed symbol.
 */
export class BitfinexSource extends RateProvider {
  readonly name = 'bitfinex';
  readonly label = 'Bitfinex';
  constructor(private readonly url: string) {
    super();
  }

  async quote(currencies: readonly string[], signal: AbortSignal): Promise<Quotes> {
    const body = await getJson(joinUrl(this.url, `/v2/tickers?symbols=${currencies.map((c) => `tBTC${c}`).join(',')}`), signal);
    if (!Array.isArray(body)) throw new SourceError('bitfinex: unexpected answer');
    const quotes: Quotes = new Map();
    for (const row of body) {
      if (!Array.isArray(row) || typeof row[0] !== 'string') throw new SourceError('bitfinex: unexpected row');
      const currency = row[0].replace(/^tBTC:?/, '');
      if (!currencies.includes(currency)) continue;
      quotes.set(currency, priceField(row[LAST_PRICE], `bitfinex ${row[0]}[${LAST_PRICE}]`));
    }
    return quotes;
  }
}
