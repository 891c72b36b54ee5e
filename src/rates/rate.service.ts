import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { RatesConfig } from '../config/app-config';
import { isIsoCurrency } from './currencies';
import { normalizeDecimal } from './decimal';
import { deviatesMoreThan, ExactPrice, medianPrice, priceToDecimal, withSpread } from './exact-price';
import { FixedRateProvider } from './fixed-rate.provider';
import { RateProvider } from './rate-provider';
import { RateUnavailable, UnsupportedCurrency } from './rate-errors';

/**
 * Decimals of a locked rate: a source price has at most 12, the median of two adds one and a store
 * spread (4 decimals of a percent) six, so exchange rates are stored exactly (the rateBtc column
 * holds 15 integer digits, the point and these).
 */
const LOCKED_DECIMALS = 20;

/** One source's last good answer for one currency. */
interface Answer {
  price: ExactPrice;
  at: number;
}

/** The price of 1 BTC in a currency, from the median of the sources that answered. */
export interface AggregatedRate {
  currency: string;
  price: ExactPrice;
  /** Source keys that made the median, in configuration order. */
  sources: string[];
  /** When its oldest answer was fetched: the age that counts for staleness. */
  at: Date;
}

/** A rate as locked on a checkout: the aggregate with the store's spread applied. */
export interface LockedRate extends AggregatedRate {
  /** Decimal price of 1 BTC, spread included (exact for exchange quotes; see priceToDecimal). */
  rate: string;
  spreadPercent: string;
}

export interface SourceStatus {
  name: string;
  up: boolean;
  /** Since when the source fails (null while up). */
  downSince: Date | null;
  lastError: string | null;
}

/**
 * Exchange rates for checkouts. In `live` mode each source is asked in the background (every
 * refreshSeconds, bounded by timeoutMs) for the currencies it is configured for; a checkout reads
 * the cached median and never waits on a source. A price needs `quorum` answers that agree within
 * maxSpreadPercent of their median (when they stop agreeing, the last price is dropped at once);
 * while too few answer, the last price serves until it is older than maxAgeSeconds, then a 503.
 * In `fixed` mode the configured table is the only source and nothing leaves the process.
 */
@Injectable()
export class RateService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Rates');
  private readonly answers = new Map<string, Map<string, Answer>>();
  private readonly rates = new Map<string, AggregatedRate>();
  private readonly status = new Map<string, SourceStatus>();
  /** Currencies asked for under "*", refreshed from then on. */
  private readonly wanted = new Set<string>();
  private readonly stopped = new AbortController();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly fixed: FixedRateProvider;
  private readonly outcomeListeners: ((source: string, ok: boolean) => void)[] = [];

  constructor(
    private readonly config: RatesConfig,
    private readonly sources: ReadonlyMap<string, RateProvider>,
  ) {
    this.fixed = (sources.get('fixed') as FixedRateProvider | undefined) ?? new FixedRateProvider(config.fixed);
    for (const name of sources.keys()) this.status.set(name, { name, up: true, downSince: null, lastError: null });
  }

  get live(): boolean {
    return this.config.provider === 'live';
  }

  onApplicationBootstrap(): void {
    if (!this.live) {
      this.logger.log(`exchange rates: the fixed table only (${this.fixed.currencies().join(', ')}; sats per unit), no exchange is called`);
      return;
    }
    const names = [...this.sources.keys()].filter((n) => n !== 'fixed' || this.configuredSources().has('fixed'));
    this.logger.log(
      `exchange rates: live from ${names.join(', ')}; refresh every ${this.config.refreshSeconds} s, quorum ${this.config.quorum}, max spread ${this.config.maxSpreadPercent} %`,
    );
    void this.refreshLoop();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped.abort();
    clearTimeout(this.timer);
    await this.running;
  }

  /** Called with each source's outcome per refresh (metrics). */
  onSourceOutcome(listener: (source: string, ok: boolean) => void): void {
    this.outcomeListeners.push(listener);
  }

  /** The currencies a checkout can be priced in (those with at least one configured source). */
  supports(currency: string): boolean {
    if (!this.live) return this.fixed.currencies().includes(currency);
    return this.sourcesFor(currency).length > 0;
  }

  /** The current rate of 1 BTC in `currency`; 422 when unsupported, 503 when there is no fresh one. */
  current(currency: string): AggregatedRate {
    if (!this.live) {
      const price = this.fixed.quoteNow([currency]).get(currency);
      if (!price) throw UnsupportedCurrency(currency);
      return { currency, price, sources: ['fixed'], at: new Date() };
    }
    if (!this.supports(currency)) throw UnsupportedCurrency(currency);
    const rate = this.rates.get(currency);
    const retry = Math.max(1, Math.ceil(this.config.refreshSeconds));
    if (!rate) {
      if (!this.config.currencies[currency] && !this.wanted.has(currency)) {
        // First request for a "*" currency: it is fetched from now on; the client retries shortly.
        this.wanted.add(currency);
        this.refreshSoon();
        throw new RateUnavailable(currency, 'it is being fetched for the first time', Math.min(retry, 5));
      }
      throw new RateUnavailable(currency, this.reasonFor(currency), retry);
    }
    if (Date.now() - rate.at.getTime() > this.config.maxAgeSeconds * 1000) {
      throw new RateUnavailable(currency, `the last rate is from ${rate.at.toISOString()}, older than ${this.config.maxAgeSeconds} s`, retry);
    }
    return rate;
  }

  /** The rate to lock on a checkout, with the store's spread. */
  lock(currency: string, spreadPercent: string): LockedRate {
    const rate = this.current(currency);
    const price = spreadPercent === '0' ? rate.price : withSpread(rate.price, spreadPercent);
    return { ...rate, price, rate: priceToDecimal(price, LOCKED_DECIMALS), spreadPercent };
  }

  sourceStatus(): SourceStatus[] {
    return [...this.status.values()].filter((s) => (!this.live ? s.name === 'fixed' : this.configuredSources().has(s.name)));
  }

  /** Age in seconds of each cached rate (for /metrics). */
  ages(): Map<string, number> {
    const now = Date.now();
    return new Map([...this.rates.values()].map((r) => [r.currency, (now - r.at.getTime()) / 1000]));
  }

  /** One refresh round now (tests and the background loop). */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.refreshOnce()
        // A bug in a round must not stop the next one (nor crash the process from the timer).
        .catch((err: Error) => this.logger.error({ err: err.message }, 'exchange rate refresh failed'))
        .finally(() => (this.running = undefined));
    }
    return this.running;
  }

  private async refreshLoop(): Promise<void> {
    if (this.stopped.signal.aborted) return;
    await this.refresh();
    if (this.stopped.signal.aborted) return;
    this.timer = setTimeout(() => void this.refreshLoop(), this.config.refreshSeconds * 1000);
    this.timer.unref();
  }

  private refreshSoon(): void {
    // A round in flight was planned without the new currency: one more runs right after it.
    setImmediate(() => void (this.running ?? Promise.resolve()).then(() => (this.stopped.signal.aborted ? undefined : this.refresh())));
  }

  private async refreshOnce(): Promise<void> {
    const perSource = new Map<string, string[]>();
    for (const currency of this.currenciesToRefresh()) {
      for (const name of this.sourcesFor(currency)) perSource.set(name, [...(perSource.get(name) ?? []), currency]);
    }
    await Promise.all(
      [...perSource].map(async ([name, currencies]) => {
        const source = this.sources.get(name);
        if (!source) return;
        const signal = AbortSignal.any([AbortSignal.timeout(this.config.timeoutMs), this.stopped.signal]);
        try {
          const quotes = await source.quote(currencies, signal);
          const at = Date.now();
          for (const [currency, price] of quotes) {
            if (!this.answers.has(currency)) this.answers.set(currency, new Map());
            this.answers.get(currency)!.set(name, { price, at });
          }
          this.noteOutcome(name, null);
        } catch (err) {
          if (this.stopped.signal.aborted) return;
          this.noteOutcome(name, signal.aborted ? `timed out after ${this.config.timeoutMs} ms` : (err as Error).message);
        }
      }),
    );
    for (const currency of this.currenciesToRefresh()) this.aggregate(currency);
  }

  private aggregate(currency: string): void {
    const now = Date.now();
    const names = this.sourcesFor(currency);
    const fresh = [...(this.answers.get(currency) ?? new Map<string, Answer>())]
      .filter(([name, a]) => names.includes(name) && now - a.at <= this.config.ttlSeconds * 1000)
      .sort(([a], [b]) => names.indexOf(a) - names.indexOf(b));
    const need = Math.max(1, Math.min(this.config.quorum, names.length));
    if (fresh.length < need) return;
    const median = medianPrice(fresh.map(([, a]) => a.price));
    // A configured number, written as a decimal (String() could give "1e-7").
    const spread = normalizeDecimal(this.config.maxSpreadPercent.toFixed(6));
    const kept = fresh.filter(([, a]) => !deviatesMoreThan(a.price, median, spread));
    if (kept.length < need) {
      // Sources that answer but disagree: the last agreed price is no longer confirmed, so none is used.
      this.rates.delete(currency);
      return;
    }
    const at = new Date(Math.min(...kept.map(([, a]) => a.at)));
    this.rates.set(currency, { currency, price: medianPrice(kept.map(([, a]) => a.price)), sources: kept.map(([n]) => n), at });
  }

  /** Why there is no rate, for the problem detail (names and counts only, never URLs). */
  private reasonFor(currency: string): string {
    const names = this.sourcesFor(currency);
    const now = Date.now();
    const fresh = [...(this.answers.get(currency) ?? new Map<string, Answer>())].filter(
      ([n, a]) => names.includes(n) && now - a.at <= this.config.ttlSeconds * 1000,
    );
    const need = Math.max(1, Math.min(this.config.quorum, names.length));
    if (fresh.length < need) return `${fresh.length} of ${names.length} sources answered, ${need} needed`;
    return `the sources disagree by more than ${this.config.maxSpreadPercent} %`;
  }

  private noteOutcome(name: string, error: string | null): void {
    for (const listener of this.outcomeListeners) listener(name, error === null);
    const s = this.status.get(name)!;
    if (error === null) {
      if (!s.up) this.logger.log({ source: name, downSince: s.downSince?.toISOString() }, `rate source ${name} answers again`);
      Object.assign(s, { up: true, downSince: null, lastError: null });
      return;
    }
    // Once per outage: the first failure warns, the following ones only update the status.
    if (s.up) this.logger.warn({ source: name, err: error }, `rate source ${name} is down; rates come from the other sources while it is`);
    Object.assign(s, { up: false, downSince: s.downSince ?? new Date(), lastError: error });
  }

  private sourcesFor(currency: string): string[] {
    if (this.config.currencies[currency]) return this.config.currencies[currency];
    return isIsoCurrency(currency) ? (this.config.currencies['*'] ?? []) : [];
  }

  private currenciesToRefresh(): string[] {
    return [...new Set([...Object.keys(this.config.currencies).filter((c) => c !== '*'), ...this.wanted])];
  }

  private configuredSources(): Set<string> {
    return new Set(Object.values(this.config.currencies).flat());
  }
}
