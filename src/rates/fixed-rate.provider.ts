import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RateProvider } from './rate-provider';

/** The default: a rate table from configuration (rates.fixed), for shops that price in fiat offline. */
@Injectable()
export class FixedRateProvider extends RateProvider {
  readonly name = 'fixed';
  constructor(private readonly config: AppConfig) {
    super();
  }

  async satsPerUnit(currency: string): Promise<string | null> {
    const rate = this.config.rates.fixed[currency.toUpperCase()];
    return typeof rate === 'number' && rate > 0 ? String(rate) : null;
  }
}
