import { isDecimal } from './decimal';
import { priceFromSatsPerUnit } from './exact-price';
import { Quotes, RateProvider } from './rate-provider';

/**
 * The rate table from configuration (rates.fixed, sats per one unit), for offline use and tests.
 * Numbers from YAML are read back as the shortest decimal that round-trips, which is what was typed.
 */
export class FixedRateProvider extends RateProvider {
  readonly name = 'fixed';
  readonly label = 'fixed rate table';
  constructor(private readonly table: Record<string, number | string>) {
    super();
  }

  currencies(): string[] {
    return Object.keys(this.table).map((c) => c.toUpperCase());
  }

  async quote(currencies: readonly string[]): Promise<Quotes> {
    return this.quoteNow(currencies);
  }

  quoteNow(currencies: readonly string[]): Quotes {
    const quotes: Quotes = new Map();
    for (const [code, value] of Object.entries(this.table)) {
      const text = String(value);
      if (currencies.includes(code.toUpperCase()) && isDecimal(text) && /[1-9]/.test(text)) quotes.set(code.toUpperCase(), priceFromSatsPerUnit(text));
    }
    return quotes;
  }
}
