import { ApiProperty } from '@nestjs/swagger';
import { ApiKey } from './api-key.entity';
import { Store } from './store.entity';

export class StoreView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, format: 'uri' }) website: string | null;
  @ApiProperty({
    type: String,
    pattern: '^\\d+(\\.\\d+)?$',
    example: '1.5',
    description: "Percent added to the store's fiat prices (the exchange rate is lowered by it)",
  })
  spreadPercent: string;
  @ApiProperty({ type: String, nullable: true, format: 'uri', description: 'The logo on the hosted page' }) logoUrl: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}

export class ApiKeyView {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'The first characters of the key, to tell keys apart' }) prefix: string;
  @ApiProperty() label: string;
  @ApiProperty({ type: [String], example: ['btcpay.store.cancreateinvoice', 'btcpay.store.canviewinvoices'], description: 'BTCPay permission strings' })
  permissions: string[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: Date | null;
}

/** The only answer that holds the key itself. */
export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ description: 'The new key: shown once, only its hash is kept' }) key: string;
  @ApiProperty({ description: 'The same key, under the name BTCPay clients read' }) apiKey: string;
}

export const storeView = (s: Store): StoreView => ({
  id: s.id,
  name: s.name,
  website: s.website,
  spreadPercent: s.spreadPercent,
  logoUrl: s.logoUrl ?? null,
  createdAt: s.createdAt,
});

export const keyView = (k: ApiKey): ApiKeyView => ({
  id: k.id,
  prefix: k.prefix,
  label: k.label,
  permissions: k.permissions,
  createdAt: k.createdAt,
  revokedAt: k.revokedAt,
});
