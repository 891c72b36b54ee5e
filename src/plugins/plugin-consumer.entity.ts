import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber, jsonText } from '../database/columns';
import type { CheckoutEventType } from '../checkout/checkout-status';

/**
 * A plugin that receives checkout events, as every replica's outbox fan-out sees it: the fan-out
 * that turns an event into webhook deliveries creates this consumer's delivery in the same
 * transaction. Kept when a plugin is disabled, so its events keep being queued for it.
 */
@Entity('plugin_consumers')
export class PluginConsumer {
  @PrimaryColumn({ type: 'varchar', length: 64 }) consumer: string;
  /** The event types it takes, as its plugin last subscribed. */
  @Column({ type: 'text', transformer: jsonText }) types: CheckoutEventType[];
  /** The newest event when it first subscribed: a new consumer does not get the history before it. */
  @Column({ type: 'bigint', transformer: bigintAsNumber }) sinceSeq: number;
  @Column({ type: Date }) createdAt: Date;
  @Column({ type: Date }) updatedAt: Date;
}
