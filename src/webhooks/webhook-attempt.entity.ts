import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { jsonText } from '../database/columns';

/** The log of one HTTP attempt of a delivery, for the merchant's debugging. */
@Entity('webhook_attempts')
@Index(['deliveryId', 'attempt'])
export class WebhookAttempt {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'varchar', length: 40 }) deliveryId: string;
  @Column({ type: 'integer' }) attempt: number;
  @Column({ type: 'varchar', length: 2000 }) url: string;
  @Column({ type: 'text', transformer: jsonText }) requestHeaders: Record<string, string>;
  @Column({ type: 'integer', nullable: true }) responseStatus: number | null;
  /** At most 2 KB of the response, enough to read an error message. */
  @Column({ type: 'text', nullable: true }) responseBody: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) error: string | null;
  @Column({ type: 'integer' }) latencyMs: number;
  @Column({ type: Date }) attemptedAt: Date;
}
