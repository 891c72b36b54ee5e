import { Global, Module } from '@nestjs/common';
import { FixedRateProvider } from './fixed-rate.provider';
import { RateProvider } from './rate-provider';

@Global()
@Module({
  providers: [FixedRateProvider, { provide: RateProvider, useExisting: FixedRateProvider }],
  exports: [RateProvider],
})
export class RatesModule {}
