import { Controller, Get, Headers, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AnyPermission,
  ApiKeyGuard,
  type ApiKeyView,
  ApiProblems,
  CurrentApiKey,
  CurrentStore,
  PluginServer,
  Policy,
  presentedApiKey,
  RequirePermission,
  type StoreView,
} from '../../src/plugin-api';
import { GreenfieldOperation } from './greenfield-api-docs';
import { GreenfieldStoreGuard } from './greenfield-store.guard';
import { GreenfieldOptions } from './greenfield.options';

/**
 * The BTCPay Server version whose Greenfield API this plugin answers like. Shop plugins compare
 * server/info `version` with BTCPay releases (the WooCommerce plugin warns below 1.7.6 and reads
 * 2.x field names); our own version is reported beside it as `lightningCheckoutVersion`.
 */
export const BTCPAY_COMPATIBLE_VERSION = '2.0.0';

/** BTCPay Greenfield store, server and API key routes that shop plugins call while connecting. */
@ApiTags('greenfield')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard, GreenfieldStoreGuard)
@ApiProblems('missing_api_key', 'malformed_authorization', 'invalid_api_key')
@Controller('api/v1')
export class GreenfieldServerController {
  constructor(
    private readonly options: GreenfieldOptions,
    private readonly server: PluginServer,
  ) {}

  @Get('server/info')
  @AnyPermission()
  @GreenfieldOperation('Server info', 'serverInfo')
  info() {
    const synced = this.server.canTakePayments();
    return {
      version: BTCPAY_COMPATIBLE_VERSION,
      lightningCheckoutVersion: this.server.version,
      onion: null,
      supportedPaymentMethods: ['BTC-LN'],
      fullySynched: synced,
      syncStatus: [{ cryptoCode: 'BTC', paymentMethodId: 'BTC-LN', available: synced, nodeInformation: null, chainHeight: null, syncHeight: null }],
    };
  }

  /**
   * BTCPay echoes the key itself; ours are stored hashed, so the one the caller presented is
   * returned. `permissions` is exactly what was granted, which is what shop plugins check.
   */
  @Get('api-keys/current')
  @AnyPermission()
  @GreenfieldOperation('The API key in use', 'currentKey')
  currentKey(@CurrentApiKey() apiKey: ApiKeyView, @Headers('authorization') authorization: string) {
    return { apiKey: presentedApiKey(authorization), label: apiKey.label, permissions: apiKey.permissions };
  }

  @Get('stores')
  @RequirePermission(Policy.CanViewStoreSettings)
  @GreenfieldOperation("The key's store, as a list", 'store', { array: true })
  @ApiProblems('missing_permission')
  stores(@CurrentStore() store: StoreView) {
    return [this.storeView(store)];
  }

  @Get('stores/:storeId')
  @RequirePermission(Policy.CanViewStoreSettings)
  @GreenfieldOperation('Get the store', 'store')
  @ApiProblems('missing_permission', 'store_forbidden')
  store(@CurrentStore() store: StoreView) {
    return this.storeView(store);
  }

  @Get('stores/:storeId/payment-methods')
  @RequirePermission(Policy.CanViewStoreSettings)
  @GreenfieldOperation("The store's payment methods", 'storePaymentMethod', { array: true })
  @ApiProblems('missing_permission', 'store_forbidden')
  paymentMethods() {
    // BTCPay 2.x: no `paymentMethod`; clients fall back to `paymentMethodId`, which must match the invoices'.
    return [{ paymentMethodId: 'BTC-LN', enabled: true, config: null }];
  }

  private storeView(store: StoreView) {
    const expiry = this.server.checkoutExpirySeconds;
    return {
      id: store.id,
      name: store.name,
      website: store.website,
      // BTCPay 2.x names it logoUrl (StoreBaseData); 1.x clients read customLogo.
      logoUrl: store.logoUrl ?? null,
      defaultCurrency: this.options.defaultCurrency,
      invoiceExpiration: expiry,
      displayExpirationTimer: Math.min(300, expiry),
      monitoringExpiration: expiry,
      speedPolicy: 'HighSpeed',
      defaultPaymentMethod: 'BTC-LN',
      paymentTolerance: 0,
      archived: false,
      anyoneCanCreateInvoice: false,
      redirectAutomatically: true,
      lightningAmountInSatoshi: true,
      lazyPaymentMethods: false,
      // The rest of BTCPay's StoreBaseData: the PHP client's typed getters read every one (a
      // missing key is a TypeError there). Values say what this server does, or BTCPay's default.
      lightningDescriptionTemplate: '{StoreName} order {OrderId}',
      requiresRefundEmail: false,
      lightningPrivateRouteHints: false,
      onChainWithLnInvoiceFallback: false,
      showRecommendedFee: true,
      recommendedFeeBlockTarget: 1,
      defaultLang: 'en',
      customLogo: store.logoUrl ?? null,
      customCSS: null,
      htmlTitle: null,
      networkFeeMode: 'Never',
      payJoinEnabled: false,
    };
  }
}
