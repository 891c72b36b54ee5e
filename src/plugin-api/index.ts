/**
 * The plugin API: everything a plugin may use from the server, and the only module under src/ a
 * plugin imports (src/plugin-api/plugin-boundary.spec.ts fails the build otherwise). The facades
 * are Nest providers of the global PluginCoreModule: a plugin injects them by class.
 */

// The manifest: a plugin is a Nest module plus what the loader reads before Nest builds anything.
export { CheckoutPlugin, pluginOptionsToken } from '../plugins/checkout-plugin.decorator';
export type { CheckoutPluginOptions, PluginManifest } from '../plugins/checkout-plugin.decorator';
export { IsStoreId } from './config-schema';

// Checkouts: created once per platform order, read, searched, cancelled.
export { PluginCheckouts } from '../plugins/plugin-checkouts.service';
export type { OrderCheckoutRequest } from '../plugins/plugin-checkouts.service';
export type { CheckoutFilter } from '../plugins/plugin-checkout-filter';
export type { CheckoutRequest } from '../checkout/checkout.service';
export { AdditionalStatus, CHECKOUT_EVENT_TYPES, CheckoutEventType, CheckoutStatus } from '../checkout/checkout-status';
export type { CheckoutView } from '../checkout/checkout.view';
export type { ApiKeyView, CheckoutRecord, StoreView, WebhookDeliveryView, WebhookEndpointView } from './views';

// Durable checkout events (at least once, retried with backoff) and order ↔ checkout links.
export { PluginEvents } from '../plugins/plugin-events.service';
export type { CheckoutEventSubscription, PluginCheckoutEvent } from '../plugins/plugin-events.service';
export { PluginOrderLinks } from '../plugins/plugin-order-links.service';
export type { PluginOrderLink } from '../plugins/plugin-order-link.entity';

// Talking to the platform, and checking what it sends.
export { baseUrl, callPlatform } from '../plugins/platform-http';
export type { PlatformResponse } from '../plugins/platform-http';
export { hmacSha256Base64, verifyHmacSha256Base64 } from '../plugins/signatures';
export { parsePlatformPayload, rejectUnpayableOrder } from '../plugins/webhook-payload';
export type { RejectedOrder } from '../plugins/webhook-payload';

// Errors: problem+json answers with a stable code, and how an event handler says retry or give up.
export { NotFound, ProblemException } from '../common/problem';
export { ApiProblems, AUTH_PROBLEMS, BODY_PROBLEMS, WRITE_PROBLEMS } from '../common/api-problems';
export type { ProblemCode } from '../common/api-problems';
export { PermanentPluginError, RetryablePluginError } from '../plugins/plugin-errors';

// The core's store API keys, webhooks, rates and server facts, for plugins that expose them.
export { AnyPermission, ApiKeyGuard, CurrentApiKey, CurrentStore, Policy, presentedApiKey, RequirePermission } from './auth';
export type { AuthenticatedRequest, StorePolicy } from './auth';
export { PluginWebhooks } from './plugin-webhooks';
export type { WebhookEndpointChanges, WebhookEndpointInput } from './plugin-webhooks';
export { BTCPAY_EVENT_NAMES } from '../webhooks/webhook-body';
export { PluginRates } from './plugin-rates';
export { PluginServer } from './plugin-server';

// Rows of the plugin's own entities (its manifest's `entities`), written in the server's transactions.
export { PluginStorage } from './plugin-storage';
export { fractionToDecimal, lockedBtcRate, priceFromDecimal, satsToBtc } from './money';
export type { ExactPrice } from './money';
