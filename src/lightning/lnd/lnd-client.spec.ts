import { randomBytes } from 'node:crypto';
import * as bolt11 from 'bolt11';
import { LndClient } from './lnd-client';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };

/** An LndClient whose node answers AddInvoice with its own clock `skewSeconds` off ours. */
function clientWithNodeClock(skewSeconds: number): LndClient {
  const client = Object.create(LndClient.prototype) as LndClient;
  const addInvoice = (request: { expiry: number }, done: (err: unknown, res: unknown) => void) => {
    const paymentHash = randomBytes(32);
    const timestamp = Math.floor(Date.now() / 1000) + skewSeconds;
    const tags = [
      { tagName: 'payment_hash', data: paymentHash.toString('hex') },
      { tagName: 'description', data: 'x' },
      { tagName: 'expire_time', data: request.expiry },
    ];
    const unsigned = bolt11.encode({ network: REGTEST, satoshis: 1000, timestamp, tags });
    done(null, { r_hash: paymentHash, payment_request: bolt11.sign(unsigned, randomBytes(32)).paymentRequest });
  };
  Object.assign(client, { name: 'n', timeoutMs: 1000, authenticated: { default: { addInvoice } } });
  return client;
}

describe('LndClient.createInvoice expiresAt', () => {
  it('is never before our own clock says the node stops accepting, when the node clock is behind ours', async () => {
    const before = Date.now();
    const created = await clientWithNodeClock(-600).createInvoice(1000, 'x', 900);
    // The node accepts payment for 900 s after it made the invoice, which is after `before` on any clock.
    expect(created.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 900_000);
  });

  it('follows the invoice when the node clock is ahead (the node then stops later than our estimate)', async () => {
    const after = Date.now();
    const created = await clientWithNodeClock(600).createInvoice(1000, 'x', 900);
    expect(created.expiresAt.getTime()).toBeGreaterThanOrEqual(after + 1_500_000 - 1000);
  });
});
