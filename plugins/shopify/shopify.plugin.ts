import { CheckoutPlugin } from '../../src/plugin-api';
import { ShopifyAdminClient } from './shopify-admin.client';
import { ShopifyController } from './shopify.controller';
import { ShopifyOptions } from './shopify.options';
import { ShopifyService } from './shopify.service';

/** Shopify: orders placed with a manual "Bitcoin Lightning" payment method are paid through a checkout. */
@CheckoutPlugin({
  name: 'shopify',
  version: '1.0.0',
  compatibility: '^0.1.0',
  description: 'Shopify orders/create webhooks in, orderMarkAsPaid (Admin GraphQL) out',
  configSchema: ShopifyOptions,
  controllers: [ShopifyController],
  providers: [ShopifyService, ShopifyAdminClient],
})
export class ShopifyPlugin {}
