import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiProblems, AUTH_PROBLEMS, BODY_PROBLEMS, WRITE_PROBLEMS } from '../common/api-problems';
import { ArrayMaxSize, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ApiKeyGuard, CurrentStore } from './api-key.guard';
import { Policy, RequirePermission } from './permissions';
import { Store } from './store.entity';
import { STORE_SPREAD } from './store-spread';
import { StoresService } from './stores.service';
import { ApiKeyView, CreatedApiKeyView, keyView, StoreView, storeView } from './store.views';

export class CreateApiKeyDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, default: 'api' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(200) label?: string;
  /**
   * BTCPay permission strings, `policy` or `policy:<this store>`; default: what BTCPay's
   * WooCommerce plugin asks for (see DEFAULT_KEY_POLICIES). Unknown ones are refused with 422.
   */
  @ApiPropertyOptional({
    type: [String],
    maxItems: 50,
    example: ['btcpay.store.cancreateinvoice', 'btcpay.store.canviewinvoices'],
    description: "BTCPay store permissions, `policy` or `policy:<this store>`; default: what BTCPay's WooCommerce plugin asks for",
  })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  permissions?: string[];
}

export class UpdateStoreDto {
  /** Percent added to the store's fiat prices (the exchange rate is lowered by it): "0" to "49.9999". */
  // Absent is "unchanged"; null is not a spread (IsOptional would let it through to a 500).
  @ApiPropertyOptional({
    type: String,
    example: '1.5',
    pattern: STORE_SPREAD.source,
    description: 'Percent added to the store\'s fiat prices: "0" to "49.9999"',
  })
  @ValidateIf((o: UpdateStoreDto) => o.spreadPercent !== undefined)
  @IsString({ message: 'spreadPercent must be a decimal string such as "1.5"' })
  @Matches(STORE_SPREAD, { message: 'spreadPercent must be a decimal from 0 to below 50 with at most 4 decimals, e.g. "1.5"' })
  spreadPercent?: string;

  /** The logo on the hosted page: an https URL (http only for localhost); null removes it. */
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uri',
    example: 'https://shop.example/logo.png',
    description: 'The logo on the hosted page: an https URL (http only for localhost); null removes it',
  })
  @ValidateIf((o: UpdateStoreDto) => o.logoUrl !== undefined && o.logoUrl !== null)
  @IsString({ message: 'logoUrl must be a URL string or null' })
  logoUrl?: string | null;
}

@ApiTags('stores')
@ApiBearerAuth()
@ApiProblems(AUTH_PROBLEMS)
@UseGuards(ApiKeyGuard)
@Controller('api/v1')
export class StoresController {
  constructor(private readonly stores: StoresService) {}

  @Get('store')
  @RequirePermission(Policy.CanViewStoreSettings)
  @ApiOperation({ summary: "The key's store" })
  @ApiOkResponse({ type: StoreView })
  current(@CurrentStore() store: Store) {
    return storeView(store);
  }

  @Patch('store')
  @RequirePermission(Policy.CanModifyStoreSettings)
  @ApiOperation({ summary: "Change the store's settings", description: 'Absent fields stay as they are.' })
  @ApiOkResponse({ type: StoreView })
  @ApiProblems(BODY_PROBLEMS, WRITE_PROBLEMS, 'invalid_logo_url')
  async update(@CurrentStore() store: Store, @Body() body: UpdateStoreDto) {
    return storeView(await this.stores.updateSettings(store, body));
  }

  @Get('api-keys')
  @RequirePermission(Policy.CanModifyStoreSettings)
  @ApiOperation({ summary: "List the store's API keys", description: 'Revoked keys included; never the keys themselves.' })
  @ApiOkResponse({ type: [ApiKeyView] })
  async keys(@CurrentStore() store: Store) {
    return (await this.stores.listKeys(store.id)).map(keyView);
  }

  /**
   * The new key is in the response once (`key`, and `apiKey` as BTCPay names it); only its hash is
   * kept. Only a key holding the store's top policy may issue keys, so no key can grant more than it holds.
   */
  @Post('api-keys')
  @RequirePermission(Policy.CanModifyStoreSettings)
  @ApiOperation({ summary: 'Issue an API key', description: 'The answer holds the key once; only its hash is kept.' })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  @ApiProblems(BODY_PROBLEMS, WRITE_PROBLEMS, 'unknown_permission', 'unsupported_permission', 'permission_store_mismatch')
  async createKey(@CurrentStore() store: Store, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    const { apiKey, key } = await this.stores.createKey(store.id, body.label ?? 'api', body.permissions);
    return { ...keyView(apiKey), key, apiKey: key };
  }

  @Delete('api-keys/:id')
  @RequirePermission(Policy.CanModifyStoreSettings)
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key', description: 'The key stops working at once, on every replica.' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems('nul_character', WRITE_PROBLEMS, 'api_key_not_found')
  async revoke(@CurrentStore() store: Store, @Param('id') id: string) {
    await this.stores.revokeKey(store.id, id);
  }
}
