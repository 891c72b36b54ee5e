import { RateProvider, Quotes } from '../rate-provider';
import { getJson, isRecord, joinUrl, priceField, SourceError } from './source-http';

/**
 * CoinGecko "Coin Price by IDs": GET /api/v3/simple/price?ids=bitcoin&vs_currencies=usd,chf&precision=full
 * answers `{"bitcoin": {"usd": 91234.56, "chf": …}}` with JSON numbers, read from their text (see
 * getJson), lower-case currency keys; unsupported currencies are left out.
 */
export class CoinGeckoSource extends RateProvider {
  readonly name = 'coingecko';
  readonly label = 'CoinGecko';
  constructor(private readonly url: string) {
    super();
  }

  async quote(currencies: readonly string[], signal: AbortSignal): Promise<Quotes> {
    const vs = currencies.map((c) => c.toLowerCase()).join(',');
    const body = await getJson(joinUrl(this.url, `/api/v3/simple/price?ids=bitcoin&vs_currencies=${vs}&precision=full`), signal);
    const bitcoin = isRecord(body) ? body.bitcoin : undefined;
    if (!isRecord(bitcoin)) throw new SourceError('coingecko: unexpected answer');
    const quotes: Quotes = new Map();
    for (const currency of currencies) {
      const value = bitcoin[currency.toLowerCase()];
      if (value === undefined || value === null) continue;
      quotes.set(currency, priceField(value, `coingecko bitcoin.${currency.toLowerCase()}`));
    }
    return quotes;
  }
}
