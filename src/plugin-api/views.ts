import type { Checkout } from '../checkout/checkout.entity';
import type { ApiKey } from '../stores/api-key.entity';
import type { Store } from '../stores/store.entity';
import type { WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import type { WebhookEndpoint } from '../webhooks/webhook-endpoint.entity';

/*
 * What plugins read, as read-only shapes: the rows behind them are the core's, and a plugin that
 * wants something changed asks a facade (PluginCheckouts, PluginWebhooks) to do it.
 */

/** A checkout as stored (dates as Date), without the core's bookkeeping columns. */
export type CheckoutRecord = Readonly<Omit<Checkout, 'idempotencyKey' | 'idempotencyFingerprint' | 'invoiceCancelPending'>>;

/** The store an API key belongs to (`@CurrentStore()`). */
export type StoreView = Readonly<Pick<Store, 'id' | 'name' | 'website' | 'logoUrl' | 'spreadPercent'>>;

/** The API key a request authenticated with (`@CurrentApiKey()`); never its hash. */
export type ApiKeyView = Readonly<Pick<ApiKey, 'id' | 'storeId' | 'label' | 'permissions'>>;

/** A webhook endpoint; its secret is shown only when created (see PluginWebhooks.create). */
export type WebhookEndpointView = Readonly<
  Pick<WebhookEndpoint, 'id' | 'storeId' | 'url' | 'description' | 'events' | 'enabled' | 'format' | 'disabledReason' | 'createdAt' | 'updatedAt'>
>;

export type WebhookDeliveryView = Readonly<
  Pick<
    WebhookDelivery,
    | 'id'
    | 'endpointId'
    | 'storeId'
    | 'eventId'
    | 'type'
    | 'checkoutId'
    | 'body'
    | 'status'
    | 'attempts'
    | 'lastStatusCode'
    | 'lastError'
    | 'isRedelivery'
    | 'originalDeliveryId'
    | 'createdAt'
    | 'completedAt'
  >
>;
