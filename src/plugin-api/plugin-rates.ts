import { Injectable } from '@nestjs/common';
import { RateService } from '../rates/rate.service';

/** The exchange rates new checkouts are priced at. */
@Injectable()
export class PluginRates {
  constructor(private readonly rates: RateService) {}

  /**
   * The price of 1 BTC in `currency` a new checkout would lock now, the store's spread included,
   * as a decimal string. Throws a problem (e.g. `rate_unavailable`, `unsupported_currency`) when
   * there is none.
   */
  btcPrice(currency: string, spreadPercent: string): string {
    return this.rates.lock(currency, spreadPercent).rate;
  }
}
