import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../database/columns';

/**
 * An invoice of the embedded dev node. Kept in the database, as a real node keeps its own, so a
 * simulated payment survives a crash and reconciliation finds it after a restart.
 */
@Entity('dev_invoices')
export class DevInvoice {
  @PrimaryColumn({ type: 'varchar', length: 64 }) paymentHash: string;
  @Column({ type: 'varchar', length: 64 }) nodeName: string;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) amountSats: number;
  @Column({ type: Date }) createdAt: Date;
  /** The BOLT11 timestamp plus its expiry: when the node stops accepting payment. */
  @Column({ type: Date }) expiresAt: Date;
  @Column({ type: Date, nullable: true }) settledAt: Date | null;
  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber }) amountPaidSats: number | null;
  @Column({ type: Date, nullable: true }) canceledAt: Date | null;
}
