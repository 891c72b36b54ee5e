import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { jsonText } from '../database/columns';
import { CheckoutEventType } from './checkout-status';

/**
 * The transactional outbox: written in the same transaction as the status change it reports,
 * so a crash can never lose it. Webhook dispatch and plugins read from here.
 */
@Entity('checkout_events')
@Index(['dispatchedAt', 'seq'])
export class CheckoutEvent {
  /** Monotonic: the order events are dispatched in. */
  @PrimaryGeneratedColumn({ type: 'integer' }) seq: number;
  @Index({ unique: true }) @Column({ type: 'varchar', length: 40 }) id: string;
  @Column({ type: 'varchar', length: 32 }) storeId: string;
  @Index() @Column({ type: 'varchar', length: 32 }) checkoutId: string;
  @Column({ type: 'varchar', length: 40 }) type: CheckoutEventType;
  @Column({ type: 'text', transformer: jsonText }) payload: Record<string, unknown>;
  @CreateDateColumn() createdAt: Date;
  /** Set once the event has been fanned out to webhook deliveries. */
  @Column({ type: Date, nullable: true }) dispatchedAt: Date | null;
}
