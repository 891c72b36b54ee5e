import { CheckoutPlugin } from '../../src/plugin-api';
import { GreenfieldInvoicesController } from './greenfield-invoices.controller';
import { GreenfieldModalController } from './greenfield-modal.controller';
import { GreenfieldPublicController } from './greenfield-public.controller';
import { GreenfieldRatesController } from './greenfield-rates.controller';
import { GreenfieldServerController } from './greenfield-server.controller';
import { GreenfieldStoreGuard } from './greenfield-store.guard';
import { GreenfieldWebhooksController } from './greenfield-webhooks.controller';
import { GreenfieldOptions } from './greenfield.options';

/** A BTCPay Greenfield-compatible API subset, so BTCPay shop plugins connect to this server unchanged. */
@CheckoutPlugin({
  name: 'greenfield',
  version: '1.0.0',
  compatibility: '^0.1.0',
  description: 'BTCPay Greenfield API subset: invoices, webhooks, stores, server info, API key info',
  configSchema: GreenfieldOptions,
  controllers: [
    GreenfieldServerController,
    GreenfieldInvoicesController,
    GreenfieldWebhooksController,
    GreenfieldRatesController,
    GreenfieldPublicController,
    GreenfieldModalController,
  ],
  providers: [GreenfieldStoreGuard],
})
export class GreenfieldPlugin {}
