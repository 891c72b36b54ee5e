import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonText } from '../database/columns';

/** The body shape a receiver expects: ours, or BTCPay Server's event names and fields. */
export const WEBHOOK_FORMATS = ['standard', 'btcpay'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** A store's receiving URL, with the secret its deliveries are signed with. */
@Entity('webhook_endpoints')
export class WebhookEndpoint {
  @PrimaryColumn({ type: 'varchar', length: 32 }) id: string;
  @Index() @Column({ type: 'varchar', length: 32 }) storeId: string;
  @Column({ type: 'varchar', length: 2000 }) url: string;
  @Column({ type: 'varchar', length: 500, nullable: true }) description: string | null;
  /** Event types to send; empty means every type. */
  @Column({ type: 'text', transformer: jsonText }) events: string[];
  @Column({ type: 'boolean' }) enabled: boolean;
  @Column({ type: 'varchar', length: 16, default: 'standard' }) format: WebhookFormat;
  /** Kept in clear because every delivery is signed with it; never logged, returned only on create/rotate. */
  @Column({ type: 'varchar', length: 200 }) secret: string;
  /** After a rotation, deliveries are also signed with the old secret until it expires, so receivers can switch without a gap. */
  @Column({ type: 'varchar', length: 200, nullable: true }) previousSecret: string | null;
  @Column({ type: Date, nullable: true }) previousSecretExpiresAt: Date | null;
  /** Why the server disabled it (e.g. the receiver answered 410 Gone); null when a user did. */
  @Column({ type: 'varchar', length: 200, nullable: true }) disabledReason: string | null;
  @CreateDateColumn() createdAt: Date;
  @Column({ type: Date }) updatedAt: Date;
}
