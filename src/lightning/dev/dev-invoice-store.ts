import { IsNull } from 'typeorm';
import type { UnitOfWork } from '../../database/unit-of-work';
import { DevInvoice } from './dev-invoice.entity';

export type DevInvoiceRecord = Pick<
  DevInvoice,
  'paymentHash' | 'nodeName' | 'amountSats' | 'createdAt' | 'expiresAt' | 'settledAt' | 'amountPaidSats' | 'canceledAt'
>;

/** Where the dev node keeps its invoices. Settling and canceling are conditional: the first one wins. */
export interface DevInvoiceStore {
  add(invoice: DevInvoiceRecord): Promise<void>;
  get(paymentHash: string): Promise<DevInvoiceRecord | null>;
  /** Marks it paid unless it is settled or canceled already; returns it as it now is. */
  settle(paymentHash: string, amountPaidSats: number, at: Date): Promise<DevInvoiceRecord | null>;
  /** Marks it canceled unless it is settled already; returns it as it now is. */
  cancel(paymentHash: string, at: Date): Promise<DevInvoiceRecord | null>;
}

/** The app's store: the `dev_invoices` table, every write through the unit of work. */
export class DatabaseDevInvoices implements DevInvoiceStore {
  constructor(private readonly uow: UnitOfWork) {}

  async add(invoice: DevInvoiceRecord): Promise<void> {
    await this.uow.run((m) => m.insert(DevInvoice, invoice));
  }

  get(paymentHash: string): Promise<DevInvoiceRecord | null> {
    return this.uow.dataSource.getRepository(DevInvoice).findOne({ where: { paymentHash } });
  }

  settle(paymentHash: string, amountPaidSats: number, at: Date): Promise<DevInvoiceRecord | null> {
    return this.uow.run(async (m) => {
      await m.update(DevInvoice, { paymentHash, settledAt: IsNull(), canceledAt: IsNull() }, { settledAt: at, amountPaidSats });
      return m.findOne(DevInvoice, { where: { paymentHash } });
    });
  }

  cancel(paymentHash: string, at: Date): Promise<DevInvoiceRecord | null> {
    return this.uow.run(async (m) => {
      await m.update(DevInvoice, { paymentHash, settledAt: IsNull(), canceledAt: IsNull() }, { canceledAt: at });
      return m.findOne(DevInvoice, { where: { paymentHash } });
    });
  }
}

/** For unit specs and tools without a database: forgotten on exit. */
export class MemoryDevInvoices implements DevInvoiceStore {
  private readonly invoices = new Map<string, DevInvoiceRecord>();

  async add(invoice: DevInvoiceRecord): Promise<void> {
    this.invoices.set(invoice.paymentHash, { ...invoice });
  }

  async get(paymentHash: string): Promise<DevInvoiceRecord | null> {
    const invoice = this.invoices.get(paymentHash);
    return invoice ? { ...invoice } : null;
  }

  async settle(paymentHash: string, amountPaidSats: number, at: Date): Promise<DevInvoiceRecord | null> {
    const invoice = this.invoices.get(paymentHash);
    if (invoice && !invoice.settledAt && !invoice.canceledAt) Object.assign(invoice, { settledAt: at, amountPaidSats });
    return this.get(paymentHash);
  }

  async cancel(paymentHash: string, at: Date): Promise<DevInvoiceRecord | null> {
    const invoice = this.invoices.get(paymentHash);
    if (invoice && !invoice.settledAt && !invoice.canceledAt) invoice.canceledAt = at;
    return this.get(paymentHash);
  }
}
