import { createECDH, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Subject } from 'rxjs';
import * as bolt11 from 'bolt11';
import { invoiceExpiresAt } from '../invoice-expiry';
import { invoiceMemo } from '../invoice-memo';
import {
  CreateInvoiceRequest,
  InvoiceRef,
  InvoiceState,
  IssuedInvoice,
  LightningBackend,
  NodeHealth,
  Settlement,
  UnknownNodeError,
} from '../lightning-backend';
import { DevInvoiceStore, MemoryDevInvoices } from './dev-invoice-store';

const DEMO_AMOUNTLESS_SATS = 1000;
const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };

/** A simulated payment the dev node refuses, as a real node would (unknown or canceled invoice). */
export class DevPaymentRefused extends Error {
  constructor(
    readonly code: 'invoice_unknown' | 'invoice_canceled',
    message: string,
  ) {
    super(message);
    this.name = 'DevPaymentRefused';
  }
}

/**
 * The embedded backend for the default run and demos: real, correctly signed regtest BOLT11
 * invoices from a local key, and a "simulate payment" action. No money can move through it, so
 * it refuses to exist in production. Its invoices are kept in `store` (the database in the app),
 * like a real node's, so a payment simulated before a crash is found by reconciliation after it.
 */
export class DevBackend implements LightningBackend {
  readonly settlements$ = new Subject<Settlement>();
  readonly reconnects$ = new Subject<string>();
  private readonly privateKey: Buffer;
  private readonly pubkey: string;
  private lastInvoiceAt?: Date;

  constructor(
    readonly name: string,
    keyPath: string | null,
    env: NodeJS.ProcessEnv = process.env,
    private readonly store: DevInvoiceStore = new MemoryDevInvoices(),
    /** Like LND by default; false plays a node that cannot issue amountless invoices. */
    readonly amountlessInvoices = true,
  ) {
    if (env.NODE_ENV === 'production') {
      throw new Error(
        'The dev Lightning backend is for development and demos only; it is refused when NODE_ENV=production. Configure lightning.backend as lnd, pool or cluster.',
      );
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
        { tagName: 'description', data: invoiceMemo(request.description) },
        { tagName: 'expire_time', data: request.expirySeconds },
        { tagName: 'min_final_cltv_expiry', data: 80 },
      ],
    });
    const signed = bolt11.sign(unsigned, this.privateKey);
    const paymentRequest = signed.paymentRequest as string;
    // What the invoice itself says, as for LND: the server never expires a checkout before the node does.
    const expiresAt = invoiceExpiresAt(paymentRequest);
    await this.store.add({
      paymentHash,
      nodeName: this.name,
      amountSats: request.amountSats ?? 0,
      createdAt: new Date(timestamp * 1000),
      expiresAt,
      settledAt: null,
      amountPaidSats: null,
      canceledAt: null,
    });
    this.lastInvoiceAt = new Date();
    return { bolt11: paymentRequest, paymentHash, nodeName: this.name, nodePubkey: this.pubkey, expiresAt };
  }

  async lookupInvoice(ref: InvoiceRef): Promise<InvoiceState> {
    if (ref.nodeName !== this.name) throw new UnknownNodeError(ref.nodeName);
    const invoice = await this.store.get(ref.paymentHash);
    return {
      paymentHash: ref.paymentHash,
      settled: !!invoice?.settledAt,
      canceled: !!invoice?.canceledAt,
      settledAt: invoice?.settledAt ?? undefined,
      amountPaidSats: invoice?.settledAt ? (invoice.amountPaidSats ?? undefined) : undefined,
    };
  }

  /** Like LND's CancelInvoice: an open invoice can no longer be paid; a settled one stays settled (and this fails). */
  async cancelInvoice(ref: InvoiceRef): Promise<void> {
    if (ref.nodeName !== this.name) throw new UnknownNodeError(ref.nodeName);
    const invoice = await this.store.cancel(ref.paymentHash, new Date());
    if (!invoice) throw new Error(`${this.name}: no invoice ${ref.paymentHash}`);
    if (invoice.settledAt) throw new Error(`${this.name}: invoice already settled`);
  }

  /**
   * Pretends the customer paid `amountSats` (default: the invoice amount). Resolves once the node's
   * record of the payment is stored; the settlement then travels the same path as a real one.
   * Paying a settled invoice again reports the first payment. An amountless invoice paid without a
   * given amount is paid DEMO_AMOUNTLESS_SATS.
   */
  async simulatePayment(paymentHash: string, amountSats?: number): Promise<Settlement> {
    const known = await this.store.get(paymentHash);
    if (!known) throw new DevPaymentRefused('invoice_unknown', 'The dev node has no such invoice.');
    const paid = amountSats ?? (known.amountSats === 0 ? DEMO_AMOUNTLESS_SATS : known.amountSats);
    const invoice = await this.store.settle(paymentHash, paid, new Date());
    if (!invoice?.settledAt) throw new DevPaymentRefused('invoice_canceled', 'The invoice was canceled on the node; it can no longer be paid.');
    const settlement = { paymentHash, nodeName: this.name, settledAt: invoice.settledAt, amountPaidSats: invoice.amountPaidSats ?? 0 };
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
