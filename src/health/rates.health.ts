import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RateService } from '../rates/rate.service';

/**
 * Reports the rate sources without ever failing readiness: a source being down is covered by the
 * others (and logged once per outage by RateService), and a currency with no fresh rate gets its
 * own 503 `rate_unavailable` while sats and BTC checkouts go on. Only names and states are shown.
 */
@Injectable()
export class RatesHealthIndicator {
  constructor(
    private readonly rates: RateService,
    private readonly health: HealthIndicatorService,
  ) {}

  check() {
    const sources = Object.fromEntries(this.rates.sourceStatus().map((s) => [s.name, s.up ? 'up' : `down since ${s.downSince?.toISOString()}`]));
    return this.health.check('rates').up({ mode: this.rates.live ? 'live' : 'fixed', sources });
  }
}
