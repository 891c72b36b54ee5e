import { createECDH, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Subject } from 'rxjs';
import * as bolt11 from 'bolt11';
import { CreateInvoiceRequest, InvoiceRef, InvoiceState, IssuedInvoice, LightningBackend, NodeHealth, Settlement } from '../lightning-backend';

const DEMO_AMOUNTLESS_SATS = 1000;
const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };

interface DevInvoice {
  paymentHash: string;
  amountSats: number;
  expiresAt: Date;
  settledAt?: Date;
}

/**
 * The embedded backend for the default run and demos: real, correctly signed regtest BOLT11
 * invoices from a local key, and a "simulate payment" action. No money can move through it, so
 * it refuses to exist in production.
 */
export class DevBackend implements LightningBackend {
  readonly settlements$ = new Subject<Settlement>();
  readonly reconnects$ = new Subject<string>();
  private readonly invoices = new Map<string, DevInvoice>();
  private readonly privateKey: Buffer;
  private readonly pubkey: string;
  private lastInvoiceAt?: Date;

  constructor(
    readonly name: string,
    keyPath: string | null,
    env: NodeJS.ProcessEnv = process.env,
    /** Like LND by default; false plays a node that cannot issue amountless invoices. */
    readonly amountlessInvoices = true,
  ) {
    if (env.NODE_ENV === 'production') {
      throw new Error('The dev Lightning backend is for development and demos only; it is refused when NODE_ENV=production. Configure lightning.backend as lnd, pool or cluster.');
    }
    this.privateKey = loadOrCreateKey(keyPath);
    const ecdh = createECDH('secp256k1');
    ecdh.setPrivateKey(this.privateKey);
    this.pubkey = ecdh.getPublicKey('hex', 'compressed');
  }

  async start(): Promise<void> {
    this.reconnects$.next(this.name);
  }

  async stop(): Promise<void> {
    this.settlements$.complete();
    this.reconnects$.complete();
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<IssuedInvoice> {
    const preimage = randomBytes(32);
    const paymentHash = createHash('sha256').update(preimage).digest('hex');
    const timestamp = Math.floor(Date.now() / 1000);
    const unsigned = bolt11.encode({
      network: REGTEST,
      // No amount field at all for an amountless invoice.
      ...(request.amountSats === null ? {} : { satoshis: request.amountSats }),
      timestamp,
      tags: [
        { tagName: 'payment_hash', data: paymentHash },
        { tagName: 'payment_secret', data: randomBytes(32).toString('hex') },
        { tagName: 'description', data: request.description.slice(0, 639) },
        { tagName: 'expire_time', data: request.expirySeconds },
        { tagName: 'min_final_cltv_expiry', data: 80 },
      ],
    } as bolt11.PaymentRequestObject);
    const signed = bolt11.sign(unsigned, this.privateKey);
    const expiresAt = new Date((timestamp + request.expirySeconds) * 1000);
    this.invoices.set(paymentHash, { paymentHash, amountSats: request.amountSats ?? 0, expiresAt });
    this.lastInvoiceAt = new Date();
    return { bolt11: signed.paymentRequest as string, paymentHash, nodeName: this.name, nodePubkey: this.pubkey, expiresAt };
  }

  async lookupInvoice(ref: InvoiceRef): Promise<InvoiceState> {
    const invoice = this.invoices.get(ref.paymentHash);
    return {
      paymentHash: ref.paymentHash,
      settled: !!invoice?.settledAt,
      canceled: false,
      settledAt: invoice?.settledAt,
      amountPaidSats: invoice?.settledAt ? invoice.amountSats : undefined,
    };
  }

  /**
   * Pretends the customer paid; the settlement travels the same path as a real one. An amountless
   * invoice paid without a given amount is paid DEMO_AMOUNTLESS_SATS.
   */
  simulatePayment(paymentHash: string, amountSats?: number): Settlement {
    const invoice = this.invoices.get(paymentHash) ?? { paymentHash, amountSats: amountSats ?? 0, expiresAt: new Date() };
    invoice.settledAt = invoice.settledAt ?? new Date();
    if (amountSats !== undefined) invoice.amountSats = amountSats;
    else if (invoice.amountSats === 0) invoice.amountSats = DEMO_AMOUNTLESS_SATS;
    this.invoices.set(paymentHash, invoice);
    const settlement = { paymentHash, nodeName: this.name, settledAt: invoice.settledAt, amountPaidSats: invoice.amountSats };
    this.settlements$.next(settlement);
    return settlement;
  }

  health(): NodeHealth[] {
    return [
      {
        name: this.name,
        type: 'dev',
        role: 'dev',
        pubkey: this.pubkey,
        reachable: true,
        syncedToChain: true,
        activeChannels: 0,
        inboundSats: Number.MAX_SAFE_INTEGER,
        canIssue: true,
        lastInvoiceAt: this.lastInvoiceAt,
        checkedAt: new Date(),
      },
    ];
  }
}

/** The dev node keeps its identity across restarts so earlier invoices still show the same payee. */
function loadOrCreateKey(path: string | null): Buffer {
  if (path && existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  const key = randomBytes(32);
  if (path) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, key.toString('hex'), { mode: 0o600 });
  }
  return key;
}
