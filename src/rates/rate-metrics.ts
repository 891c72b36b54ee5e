import { Counter, Gauge, Registry } from 'prom-client';
import { RateService } from './rate.service';

/** Per-source outcomes of the background refresh, source health and the age of each cached rate. */
export function registerRateMetrics(registry: Registry, rates: RateService): void {
  const requests = new Counter({
    name: 'rate_source_requests_total',
    help: 'Requests to exchange-rate sources, by source and result (success or failure: error, timeout, malformed answer).',
    labelNames: ['source', 'result'] as const,
    registers: [registry],
  });
  rates.onSourceOutcome((source, ok) => requests.inc({ source, result: ok ? 'success' : 'failure' }));
  new Gauge({
    name: 'rate_source_up',
    help: 'Rate source answered its last request (1) or not (0).',
    labelNames: ['source'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of rates.sourceStatus()) this.set({ source: s.name }, s.up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'rate_age_seconds',
    help: 'Age of the cached exchange rate per currency (from its oldest answer); above rates.maxAgeSeconds it is not used.',
    labelNames: ['currency'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [currency, age] of rates.ages()) this.set({ currency }, age);
    },
  });
}
