import { IsString, Matches } from 'class-validator';

export class GreenfieldOptions {
  /** Currency of invoices created without one (BTCPay uses the store's default currency). */
  @IsString() @Matches(/^[A-Za-z]{3,4}$/, { message: 'defaultCurrency must be SATS, BTC or a 3-letter code' }) defaultCurrency: string = 'SATS';
}
