import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ApiKey } from './api-key.entity';
import { ApiKeyGuard, CurrentStore } from './api-key.guard';
import { Policy, RequirePermission } from './permissions';
import { Store } from './store.entity';
import { STORE_SPREAD } from './store-spread';
import { StoresService } from './stores.service';

export class CreateApiKeyDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) label?: string;
  /**
   * BTCPay permission strings, `policy` or `policy:<this store>`; default: what BTCPay's
   * WooCommerce plugin asks for (see DEFAULT_KEY_POLICIES). Unknown ones are refused with 422.
   */
  @IsOptional() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(200, { each: true }) permissions?: string[];
}

export class UpdateStoreDto {
  /** Percent added to the store's fiat prices (the exchange rate is lowered by it): "0" to "49.9999". */
  // Absent is "unchanged"; null is not a spread (IsOptional would let it through to a 500).
  @ValidateIf((o: UpdateStoreDto) => o.spreadPercent !== undefined)
  @IsString({ message: 'spreadPercent must be a decimal string such as "1.5"' })
  @Matches(STORE_SPREAD, { message: 'spreadPercent must be a decimal from 0 to below 50 with at most 4 decimals, e.g. "1.5"' })
  spreadPercent?: string;

  /** The logo on the hosted page: an https URL (http only for localhost); null removes it. */
  @ValidateIf((o: UpdateStoreDto) => o.logoUrl !== undefined && o.logoUrl !== null)
  @IsString({ message: 'logoUrl must be a URL string or null' })
  logoUrl?: string | null;
}

const storeView = (s: Store) => ({ id: s.id, name: s.name, website: s.website, spreadPercent: s.spreadPercent, logoUrl: s.logoUrl ?? null, createdAt: s.createdAt });

const keyView = (k: ApiKey) => ({ id: k.id, prefix: k.prefix, label: k.label, permissions: k.permissions, createdAt: k.createdAt, revokedAt: k.revokedAt });

@ApiTags('stores')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('api/v1')
export class StoresController {
  constructor(private readonly stores: StoresService) {}

  @Get('store')
  @RequirePermission(Policy.CanViewStoreSettings)
  current(@CurrentStore() store: Store) {
    return storeView(store);
  }

  @Patch('store')
  @RequirePermission(Policy.CanModifyStoreSettings)
  async update(@CurrentStore() store: Store, @Body() body: UpdateStoreDto) {
    return storeView(await this.stores.updateSettings(store, body));
  }

  @Get('api-keys')
  @RequirePermission(Policy.CanModifyStoreSettings)
  async keys(@CurrentStore() store: Store) {
    return (await this.stores.listKeys(store.id)).map(keyView);
  }

  /**
   * The new key is in the response once (`key`, and `apiKey` as BTCPay names it); only its hash is
   * kept. Only a key holding the store's top policy may issue keys, so no key can grant more than it holds.
   */
  @Post('api-keys')
  @RequirePermission(Policy.CanModifyStoreSettings)
  async createKey(@CurrentStore() store: Store, @Body() body: CreateApiKeyDto) {
    const { apiKey, key } = await this.stores.createKey(store.id, body.label ?? 'api', body.permissions);
    return { ...keyView(apiKey), key, apiKey: key };
  }

  @Delete('api-keys/:id')
  @RequirePermission(Policy.CanModifyStoreSettings)
  @HttpCode(204)
  async revoke(@CurrentStore() store: Store, @Param('id') id: string) {
    await this.stores.revokeKey(store.id, id);
  }
}
