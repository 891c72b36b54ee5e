/** Sats per one unit of a currency, as a decimal string (exact). */
export abstract class RateProvider {
  abstract readonly name: string;
  abstract satsPerUnit(currency: string): Promise<string | null>;
}
