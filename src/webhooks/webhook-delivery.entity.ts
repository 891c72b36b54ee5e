import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/**
 * One event to send to one endpoint. The database is the source of truth for its state; queues
 * (BullMQ or in-process timers) only decide when it is tried next.
 */
@Entity('webhook_deliveries')
@Index(['endpointId', 'status', 'seq'])
@Index(['status', 'nextAttemptAt'])
export class WebhookDelivery {
  /** Creation order: an endpoint's deliveries are sent strictly in this order. */
  @PrimaryGeneratedColumn({ type: 'integer' }) seq: number;
  /** Also the `webhook-id` header: stable across retries of this delivery. */
  @Index({ unique: true }) @Column({ type: 'varchar', length: 40 }) id: string;
  @Column({ type: 'varchar', length: 32 }) endpointId: string;
  @Column({ type: 'varchar', length: 32 }) storeId: string;
  @Column({ type: 'varchar', length: 40 }) eventId: string;
  @Column({ type: 'varchar', length: 40 }) type: string;
  @Column({ type: 'varchar', length: 32 }) checkoutId: string;
  /** The exact JSON bytes that are signed and sent, identical on every attempt. */
  @Column({ type: 'text' }) body: string;
  @Column({ type: 'varchar', length: 16 }) status: DeliveryStatus;
  @Column({ type: 'integer' }) attempts: number;
  @Column({ type: Date }) nextAttemptAt: Date;
  /** Lease of the replica sending it now, so two workers never send one delivery at once. */
  @Column({ type: Date, nullable: true }) lockedUntil: Date | null;
  /** The instance (InstanceRegistry.id) holding that lease on PostgreSQL: its death frees the lease. */
  @Column({ type: 'varchar', length: 40, nullable: true }) leaseOwner: string | null;
  /** Bumped when a dead instance's lease is taken back: part of the BullMQ job id, so a job Redis still thinks is running does not swallow the new one. */
  @Column({ type: 'integer', default: 0 }) leaseGeneration: number;
  @Column({ type: 'integer', nullable: true }) lastStatusCode: number | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) lastError: string | null;
  @Column({ type: 'boolean' }) isRedelivery: boolean;
  @Column({ type: 'varchar', length: 40, nullable: true }) originalDeliveryId: string | null;
  @CreateDateColumn() createdAt: Date;
  @Column({ type: Date, nullable: true }) completedAt: Date | null;
}
