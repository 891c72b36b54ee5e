// The loader requires plugins/<name> and takes the @CheckoutPlugin class it exports (src/plugins/plugin-loader.ts).
export { WooCommercePlugin as default } from './woocommerce.plugin';
