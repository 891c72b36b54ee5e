import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { jsonText } from '../database/columns';

/**
 * A platform order and the checkout created for it. Written only after a verified platform
 * webhook, so it, not checkout metadata (which any API client can set), decides which order a
 * payment marks paid.
 */
@Entity('plugin_order_links')
@Index(['plugin', 'storeId', 'orderId'], { unique: true })
export class PluginOrderLink {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'varchar', length: 40 }) plugin: string;
  @Column({ type: 'varchar', length: 32 }) storeId: string;
  @Column({ type: 'varchar', length: 200 }) orderId: string;
  @Index() @Column({ type: 'varchar', length: 32 }) checkoutId: string;
  /** Platform details the plugin needs later (order number, key, admin id...). */
  @Column({ type: 'text', nullable: true, transformer: jsonText }) details: Record<string, unknown> | null;
  @CreateDateColumn() createdAt: Date;
}
