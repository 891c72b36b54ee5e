import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../database/columns';

export type PluginDeliveryStatus = 'pending' | 'done' | 'failed';

/**
 * One outbox event owed to one plugin consumer. Rows are written in the same transaction that
 * advances the consumer's cursor, so an event is either queued or still ahead of the cursor.
 */
@Entity('plugin_deliveries')
@Index(['consumer', 'eventSeq'], { unique: true })
@Index(['status', 'nextAttemptAt'])
export class PluginDelivery {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'varchar', length: 64 }) consumer: string;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) eventSeq: number;
  @Column({ type: 'varchar', length: 40 }) eventId: string;
  @Column({ type: 'varchar', length: 16 }) status: PluginDeliveryStatus;
  @Column({ type: 'integer' }) attempts: number;
  @Column({ type: Date }) nextAttemptAt: Date;
  /** A replica working on the row holds it until then (a fallback: a dead holder is noticed sooner, below). */
  @Column({ type: Date, nullable: true }) leaseUntil: Date | null;
  /** The instance holding the lease: once its heartbeat is stale, any other instance releases it. */
  @Column({ type: 'varchar', length: 40, nullable: true }) leaseOwner: string | null;
  @Column({ type: 'varchar', length: 1000, nullable: true }) lastError: string | null;
  @Column({ type: Date }) createdAt: Date;
  @Column({ type: Date }) updatedAt: Date;
}
