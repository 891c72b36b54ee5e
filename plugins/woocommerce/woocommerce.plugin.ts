import { CheckoutPlugin } from '../../src/plugin-api';
import { WooCommerceClient } from './woocommerce.client';
import { WooCommerceController } from './woocommerce.controller';
import { WooCommerceOptions } from './woocommerce.options';
import { WooCommerceService } from './woocommerce.service';

/** WooCommerce: pending orders paid with the Lightning gateway become checkouts; paid checkouts mark the order paid. */
@CheckoutPlugin({
  name: 'woocommerce',
  version: '1.0.0',
  compatibility: '^0.1.0',
  description: 'WooCommerce order webhooks in, order status updates out (REST v3)',
  configSchema: WooCommerceOptions,
  controllers: [WooCommerceController],
  providers: [WooCommerceService, WooCommerceClient],
})
export class WooCommercePlugin {}
