import { Global, Module } from '@nestjs/common';
import { AppConfig, RATE_SOURCE_NAMES } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { isIsoCurrency } from './currencies';
import { FixedRateProvider } from './fixed-rate.provider';
import { RateProvider } from './rate-provider';
import { registerRateMetrics } from './rate-metrics';
import { RateService } from './rate.service';
import { BitfinexSource } from './sources/bitfinex.source';
import { BitstampSource } from './sources/bitstamp.source';
import { CoinbaseSource } from './sources/coinbase.source';
import { CoinGeckoSource } from './sources/coingecko.source';
import { KrakenSource } from './sources/kraken.source';

const HTTP_SOURCES: Record<string, new (url: string) => RateProvider> = {
  kraken: KrakenSource,
  bitstamp: BitstampSource,
  coinbase: CoinbaseSource,
  coingecko: CoinGeckoSource,
  bitfinex: BitfinexSource,
};

/** The configured sources by key; a currency list naming an unknown source or code stops start-up. */
export function buildRateSources(config: AppConfig): Map<string, RateProvider> {
  const rates = config.rates;
  const sources = new Map<string, RateProvider>([['fixed', new FixedRateProvider(rates.fixed)]]);
  if (rates.provider !== 'live') return sources;
  for (const [currency, names] of Object.entries(rates.currencies)) {
    if (currency !== '*' && !isIsoCurrency(currency)) throw new Error(`rates.currencies.${currency}: not an ISO 4217 currency code`);
    if (!Array.isArray(names)) throw new Error(`rates.currencies.${currency} must be a list of sources`);
    for (const name of names) {
      if (!(RATE_SOURCE_NAMES as readonly string[]).includes(name))
        throw new Error(`rates.currencies.${currency}: unknown source "${name}" (known: ${RATE_SOURCE_NAMES.join(', ')})`);
      if (name === 'fixed' || sources.has(name)) continue;
      const url = rates.sources[name]?.url;
      if (!url) throw new Error(`rates.sources.${name}.url is missing`);
      sources.set(name, new HTTP_SOURCES[name](url));
    }
  }
  return sources;
}

@Global()
@Module({
  providers: [
    {
      provide: RateService,
      inject: [AppConfig, MetricsService],
      useFactory: (config: AppConfig, metrics: MetricsService) => {
        const service = new RateService(config.rates, buildRateSources(config));
        registerRateMetrics(metrics.registry, service);
        return service;
      },
    },
  ],
  exports: [RateService],
})
export class RatesModule {}
