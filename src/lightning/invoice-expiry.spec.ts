import { randomBytes } from 'node:crypto';
import * as bolt11 from 'bolt11';
import { invoiceExpiresAt } from './invoice-expiry';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };

function invoice(timestamp: number, expiry?: number): string {
  const tags: { tagName: string; data: unknown }[] = [
    { tagName: 'payment_hash', data: randomBytes(32).toString('hex') },
    { tagName: 'description', data: 'a long enough description to push the expiry tag further along' },
  ];
  if (expiry !== undefined) tags.push({ tagName: 'expire_time', data: expiry });
  const unsigned = bolt11.encode({ network: REGTEST, satoshis: 1000, timestamp, tags } as unknown as bolt11.PaymentRequestObject);
  return bolt11.sign(unsigned, randomBytes(32)).paymentRequest as string;
}

describe('invoiceExpiresAt', () => {
  it('is the invoice timestamp plus its expiry, as a decoder reads them', () => {
    for (const expiry of [60, 900, 86_400, 7 * 86_400]) {
      const text = invoice(1_764_000_000, expiry);
      const decoded = bolt11.decode(text);
      expect(invoiceExpiresAt(text).getTime()).toBe((decoded.timestamp! + expiry) * 1000);
      expect(invoiceExpiresAt(text.toUpperCase()).getTime()).toBe((decoded.timestamp! + expiry) * 1000);
    }
  });

  it('uses the BOLT11 default of one hour when the invoice names no expiry', () => {
    expect(invoiceExpiresAt(invoice(1_764_000_000)).getTime()).toBe((1_764_000_000 + 3600) * 1000);
  });

  it('refuses what is not an invoice', () => {
    expect(() => invoiceExpiresAt('hello')).toThrow(/BOLT11/);
  });
});
