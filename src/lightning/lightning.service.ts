import { HttpStatus, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ProblemException } from '../common/problem';
import { ScheduledJobs } from '../common/scheduled-job';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { createBackend } from './backend-factory';
import { DevBackend, DevPaymentRefused } from './dev/dev-backend';
import { DatabaseDevInvoices } from './dev/dev-invoice-store';
import { CreateInvoiceRequest, InvoiceRef, InvoiceState, IssuedInvoice, LightningBackend, NodeHealth, Settlement } from './lightning-backend';

/** The app's one door to Lightning, whatever backend tree is configured behind it. */
@Injectable()
export class LightningService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LightningService.name);
  readonly backend: LightningBackend;

  constructor(config: AppConfig, uow: UnitOfWork, jobs: ScheduledJobs) {
    this.backend = createBackend(config.lightning.backend, config, { devInvoices: new DatabaseDevInvoices(uow), jobs });
  }

  async onModuleInit(): Promise<void> {
    await this.backend.start();
    if (this.backend instanceof DevBackend) {
      this.logger.warn('Using the embedded DEV Lightning backend: invoices are regtest and payments are simulated. Not for real money.');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.backend.stop();
  }

  get settlements$(): Observable<Settlement> {
    return this.backend.settlements$;
  }

  get reconnects$(): Observable<string> {
    return this.backend.reconnects$;
  }

  createInvoice(request: CreateInvoiceRequest): Promise<IssuedInvoice> {
    return this.backend.createInvoice(request);
  }

  lookupInvoice(ref: InvoiceRef): Promise<InvoiceState> {
    return this.backend.lookupInvoice(ref);
  }

  cancelInvoice(ref: InvoiceRef): Promise<void> {
    return this.backend.cancelInvoice(ref);
  }

  health(): NodeHealth[] {
    return this.backend.health();
  }

  /** Whether checkouts without an amount (top-ups) can be issued. */
  get amountlessInvoices(): boolean {
    return this.backend.amountlessInvoices === true;
  }

  get isDev(): boolean {
    return this.backend instanceof DevBackend;
  }

  /**
   * Demo action of the dev backend; anything else cannot fake a payment. Resolves once the dev
   * node has stored the payment (the settlement is then also streamed like a real one).
   */
  async simulatePayment(paymentHash: string, amountSats?: number): Promise<Settlement> {
    if (!(this.backend instanceof DevBackend)) {
      throw new ProblemException(HttpStatus.NOT_FOUND, 'simulation_unavailable', 'Payments can only be simulated on the dev Lightning backend.');
    }
    try {
      return await this.backend.simulatePayment(paymentHash, amountSats);
    } catch (err) {
      if (err instanceof DevPaymentRefused) throw new ProblemException(HttpStatus.CONFLICT, err.code, err.message);
      throw err;
    }
  }
}
