import type { EntityClass, MigrationClass } from './table-classes';
import { Checkout } from '../checkout/checkout.entity';
import { CheckoutEvent } from '../checkout/checkout-event.entity';
import { ApiKey } from '../stores/api-key.entity';
import { Store } from '../stores/store.entity';
import { PLUGIN_CORE_ENTITIES, PLUGIN_CORE_MIGRATIONS } from '../plugins/registry';
import { Initial1732350000000 } from './migrations/1732350000000-initial';
import { Webhooks1732400000000 } from './migrations/1732400000000-webhooks';
import { WebhookFormat1732500000000 } from './migrations/1732500000000-webhook-format';
import { DevInvoices1732620000002 } from './migrations/1732620000002-dev-invoices';
import { InvoiceCancelPending1732620000003 } from './migrations/1732620000003-invoice-cancel-pending';
import { ApiKeyPermissions1732630000001 } from './migrations/1732630000001-api-key-permissions';
import { DevInvoice } from '../lightning/dev/dev-invoice.entity';
import { CheckoutArchived1732640000001 } from './migrations/1732640000001-checkout-archived';
import { RateLock1732650000001 } from './migrations/1732650000001-rate-lock';
import { StoreLogo1732660000001 } from './migrations/1732660000001-store-logo';
import { Instances1732670000001 } from './migrations/1732670000001-instances';
import { Instance } from '../instances/instance.entity';
import { WebhookAttempt } from '../webhooks/webhook-attempt.entity';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import { WebhookEndpoint } from '../webhooks/webhook-endpoint.entity';

/**
 * The core's entities and migrations; domains append theirs here so one list feeds app, CLI and tests.
 * Enabled plugins add their own (dataSourceOptions' second argument, from the plugin loader).
 */
export const ENTITIES: EntityClass[] = [
  Store,
  ApiKey,
  Checkout,
  CheckoutEvent,
  WebhookEndpoint,
  WebhookDelivery,
  WebhookAttempt,
  DevInvoice,
  Instance,
  ...PLUGIN_CORE_ENTITIES,
];
export const MIGRATIONS: MigrationClass[] = [
  Initial1732350000000,
  Webhooks1732400000000,
  WebhookFormat1732500000000,
  DevInvoices1732620000002,
  InvoiceCancelPending1732620000003,
  ApiKeyPermissions1732630000001,
  CheckoutArchived1732640000001,
  RateLock1732650000001,
  StoreLogo1732660000001,
  Instances1732670000001,
  ...PLUGIN_CORE_MIGRATIONS,
];
