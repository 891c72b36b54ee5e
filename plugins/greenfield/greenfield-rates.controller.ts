import { Controller, Get, HttpException, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiQuery } from '@nestjs/swagger';
import { ApiKeyGuard, ApiProblems, AUTH_PROBLEMS, CurrentStore, PluginRates, Policy, RequirePermission, type StoreView } from '../../src/plugin-api';
import { GreenfieldOperation } from './greenfield-api-docs';
import { GreenfieldStoreGuard } from './greenfield-store.guard';
import { GreenfieldOptions } from './greenfield.options';

/** BTCPay "Get store rates": the rates a new invoice of this store would be priced at now (spread included). */
@ApiTags('greenfield')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard, GreenfieldStoreGuard)
@ApiProblems(AUTH_PROBLEMS, 'store_forbidden')
@Controller('api/v1/stores/:storeId/rates')
export class GreenfieldRatesController {
  constructor(
    private readonly rates: PluginRates,
    private readonly options: GreenfieldOptions,
  ) {}

  @Get()
  @RequirePermission(Policy.CanViewStoreSettings)
  @GreenfieldOperation("The store's rates", 'rate', { array: true })
  @ApiQuery({ name: 'currencyPair', required: false, isArray: true, type: String, description: "BTC_<currency>; default: the plugin's default currency" })
  @ApiProblems('nul_character')
  list(@CurrentStore() store: StoreView, @Query('currencyPair') pairs?: string | string[]) {
    const asked = pairs === undefined ? [`BTC_${this.options.defaultCurrency}`] : Array.isArray(pairs) ? pairs : [pairs];
    return asked.slice(0, 50).map((currencyPair) => {
      const match = /^BTC_([A-Za-z]{3,4})$/.exec(String(currencyPair));
      if (!match) return { currencyPair, errors: ['Only BTC_<currency> pairs are supported'], rate: null };
      const currency = match[1].toUpperCase();
      if (currency === 'BTC' || currency === 'SATS') return { currencyPair: `BTC_${currency}`, errors: [], rate: currency === 'BTC' ? '1' : '100000000' };
      try {
        return { currencyPair: `BTC_${currency}`, errors: [], rate: this.rates.btcPrice(currency, store.spreadPercent ?? '0') };
      } catch (err) {
        const detail = err instanceof HttpException ? ((err.getResponse() as { detail?: string }).detail ?? err.message) : 'rate unavailable';
        return { currencyPair: `BTC_${currency}`, errors: [detail], rate: null };
      }
    });
  }
}
