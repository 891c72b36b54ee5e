import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintAsNumber, jsonText } from '../database/columns';
import { AdditionalStatus, CheckoutStatus } from './checkout-status';

@Entity('checkouts')
@Index(['storeId', 'idempotencyKey'], { unique: true })
@Index(['storeId', 'createdAt'])
@Index(['status', 'expiresAt'])
export class Checkout {
  /** Unguessable: it is the capability to view the hosted page. */
  @PrimaryColumn({ type: 'varchar', length: 32 }) id: string;
  @Column({ type: 'varchar', length: 32 }) storeId: string;
  @Column({ type: 'varchar', length: 16 }) status: CheckoutStatus;
  @Column({ type: 'varchar', length: 16, default: AdditionalStatus.None }) additionalStatus: AdditionalStatus;

  /** 0: no amount was set, the customer pays what they choose (a top-up invoice). */
  @Column({ type: 'bigint', transformer: bigintAsNumber }) amountSats: number;
  /** Currency the merchant priced in: BTC/SATS or a fiat code. */
  @Column({ type: 'varchar', length: 8 }) currency: string;
  /** The amount as the merchant gave it, as a decimal string (exact). */
  @Column({ type: 'varchar', length: 40 }) amount: string;
  /** Sats per unit of `currency` used for the conversion; null when priced in sats. */
  @Column({ type: 'varchar', length: 40, nullable: true }) rate: string | null;
  /**
   * The rate locked on the checkout: the price of 1 BTC in `currency` (spread included), the rate
   * sources whose median it is, when their oldest answer was fetched, and the store's spread. Null
   * when priced in BTC or sats. amountSats = ceil(amount * 1e8 / rateBtc).
   */
  @Column({ type: 'varchar', length: 40, nullable: true }) rateBtc: string | null;
  @Column({ type: 'text', nullable: true, transformer: jsonText }) rateSources: string[] | null;
  @Column({ type: Date, nullable: true }) rateAt: Date | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) rateSpreadPercent: string | null;

  @Index() @Column({ type: 'varchar', length: 200, nullable: true }) orderId: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) customerId: string | null;
  @Column({ type: 'varchar', length: 640, nullable: true }) description: string | null;
  @Column({ type: 'varchar', length: 2000, nullable: true }) redirectUrl: string | null;
  @Column({ type: 'text', nullable: true, transformer: jsonText }) metadata: Record<string, unknown> | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) idempotencyKey: string | null;
  /** SHA-256 of the create request, so a reused key with a different body is refused. */
  @Column({ type: 'varchar', length: 64, nullable: true }) idempotencyFingerprint: string | null;

  @Column({ type: 'text' }) bolt11: string;
  @Index({ unique: true }) @Column({ type: 'varchar', length: 64 }) paymentHash: string;
  /** The backend node that issued the invoice: it is watched and reconciled there. */
  @Column({ type: 'varchar', length: 64 }) nodeName: string;
  @Column({ type: 'varchar', length: 66 }) nodePubkey: string;

  /** Hidden from invoice lists (BTCPay's archive); changes nothing else. */
  @Column({ type: 'boolean', default: false }) archived: boolean;

  @Column({ type: Date }) expiresAt: Date;
  @Column({ type: Date, nullable: true }) settledAt: Date | null;
  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber }) amountPaidSats: number | null;
  /** Canceled here but not yet on the node that issued the invoice: reconciliation keeps trying. */
  @Column({ type: 'boolean', default: false }) invoiceCancelPending: boolean;
  @CreateDateColumn() createdAt: Date;
  @UpdateDateColumn() updatedAt: Date;
}
