// The one module a plugin imports from the server (external plugins as `lightning-checkout/plugin-api`).
// A minimal front door for the loader's example plugin; the full plugin API replaces this file.
export { CheckoutPlugin } from '../plugins/checkout-plugin.decorator';
export type { CheckoutPluginOptions, PluginManifest } from '../plugins/checkout-plugin.decorator';
export { PluginCheckouts } from '../plugins/plugin-checkouts.service';
export type { OrderCheckoutRequest } from '../plugins/plugin-checkouts.service';
export { PluginEvents } from '../plugins/plugin-events.service';
export type { CheckoutEventSubscription, PluginCheckoutEvent } from '../plugins/plugin-events.service';
export { CHECKOUT_EVENT_TYPES, CheckoutEventType } from '../checkout/checkout-status';
