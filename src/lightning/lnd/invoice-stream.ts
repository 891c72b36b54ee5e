import { EventEmitter } from 'node:events';
import { Settlement } from '../lightning-backend';
import { LndClient, settlementOf } from './lnd-client';

export interface InvoiceStreamHandlers {
  onSettlement(settlement: Settlement): void;
  /** After every successful (re)subscribe: the caller reconciles the node's open invoices. */
  onConnected(): void;
  onDisconnected(error: Error): void;
}

export interface InvoiceStreamOptions {
  /** The node name settlements are reported under (a cluster reports its own name). */
  nodeName: string;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Keeps one invoice subscription alive on a node: on error or end it re-subscribes with
 * exponential backoff. A subscription counts as connected only once the node has also answered
 * an authenticated call, so "connected" means settlements can flow, not merely that a socket exists.
 */
export class InvoiceStream {
  connected = false;
  private client?: LndClient;
  private subscription?: EventEmitter;
  private generation = 0;
  private attempts = 0;
  private retryTimer?: NodeJS.Timeout;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly options: InvoiceStreamOptions,
    private readonly handlers: InvoiceStreamHandlers,
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
  }

  /** Subscribes on this node, dropping any previous subscription (also to force a fresh one). */
  attach(client: LndClient): void {
    this.detach();
    this.client = client;
    this.attempts = 0;
    void this.connect(this.generation);
  }

  detach(): void {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.connected = false;
    this.drop();
    this.client = undefined;
  }

  get attachedTo(): LndClient | undefined {
    return this.client;
  }

  private drop(): void {
    // Removing every listener makes ln-service cancel the gRPC call and not restart it.
    this.subscription?.removeAllListeners();
    this.subscription = undefined;
  }

  private async connect(generation: number): Promise<void> {
    const client = this.client;
    if (!client || generation !== this.generation) return;
    let failed = false;
    const fail = (error: Error) => {
      if (failed || generation !== this.generation) return;
      failed = true;
      this.drop();
      const wasConnected = this.connected;
      this.connected = false;
      if (wasConnected || this.attempts === 0) this.handlers.onDisconnected(error);
      const delay = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.attempts++);
      this.retryTimer = setTimeout(() => void this.connect(generation), delay);
      this.retryTimer.unref();
    };
    let subscription: EventEmitter;
    try {
      subscription = client.subscribeInvoices();
    } catch (err) {
      return fail(err as Error);
    }
    this.subscription = subscription;
    subscription.on('invoice_updated', (invoice: Parameters<typeof settlementOf>[1]) => {
      const settlement = settlementOf(this.options.nodeName, invoice);
      if (settlement) this.handlers.onSettlement(settlement);
    });
    subscription.on('error', (err: unknown) => fail(asError(err, `${client.name} invoice subscription failed`)));
    subscription.on('end', () => fail(new Error(`${client.name} invoice subscription ended`)));
    try {
      // Needs only invoices:read, which any macaroon that can watch invoices has (GetInfo would need info:read).
      await client.confirmInvoiceAccess();
    } catch (err) {
      return fail(err as Error);
    }
    if (failed || generation !== this.generation) return;
    this.connected = true;
    this.attempts = 0;
    this.handlers.onConnected();
  }
}

function asError(err: unknown, fallback: string): Error {
  if (err instanceof Error) return err;
  if (Array.isArray(err)) {
    const details = (err[2] as { err?: { details?: string } } | undefined)?.err?.details;
    return new Error(`${fallback}: ${err[1]}${details ? ` (${details})` : ''}`);
  }
  return new Error(fallback);
}
