import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiKey } from './api-key.entity';
import { ApiKeyGuard, CurrentStore } from './api-key.guard';
import { Store } from './store.entity';
import { StoresService } from './stores.service';

export class CreateApiKeyDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) label?: string;
}

const keyView = (k: ApiKey) => ({ id: k.id, prefix: k.prefix, label: k.label, createdAt: k.createdAt, revokedAt: k.revokedAt });

@ApiTags('stores')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('api/v1')
export class StoresController {
  constructor(private readonly stores: StoresService) {}

  @Get('store')
  current(@CurrentStore() store: Store) {
    return { id: store.id, name: store.name, website: store.website, createdAt: store.createdAt };
  }

  @Get('api-keys')
  async keys(@CurrentStore() store: Store) {
    return (await this.stores.listKeys(store.id)).map(keyView);
  }

  /** The new key is in the response once; only its hash is kept. */
  @Post('api-keys')
  async createKey(@CurrentStore() store: Store, @Body() body: CreateApiKeyDto) {
    const { apiKey, key } = await this.stores.createKey(store.id, body.label ?? 'api');
    return { ...keyView(apiKey), key };
  }

  @Delete('api-keys/:id')
  @HttpCode(204)
  async revoke(@CurrentStore() store: Store, @Param('id') id: string) {
    await this.stores.revokeKey(store.id, id);
  }
}
