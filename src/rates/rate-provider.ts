import { ExactPrice } from './exact-price';

/** A source's answer: the price of 1 BTC per currency it quotes (currencies it does not quote are absent). */
export type Quotes = Map<string, ExactPrice>;

/**
 * One rate source (an exchange's public API or the fixed table). It answers for the currencies it
 * is asked about, or throws: a source that times out, fails or answers nonsense is "down" for that
 * round, never a price.
 */
export abstract class RateProvider {
  /** Key in configuration and metrics: `kraken`. */
  abstract readonly name: string;
  /** Shown to customers and merchants: `Kraken`. */
  abstract readonly label: string;
  abstract quote(currencies: readonly string[], signal: AbortSignal): Promise<Quotes>;
}
