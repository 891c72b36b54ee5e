import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('stores')
export class Store {
  @PrimaryColumn({ type: 'varchar', length: 32 }) id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  /** Where the hosted page sends the customer when no checkout-level redirect is given. */
  @Column({ type: 'varchar', length: 2000, nullable: true }) website: string | null;
  /** Percent added to every fiat price of this store (the rate of 1 BTC is lowered by it), as a decimal string. */
  @Column({ type: 'varchar', length: 16, default: '0' }) spreadPercent: string;
  /** Shown on the hosted page; https (http on loopback only), checked by `checkLogoUrl`. */
  @Column({ type: 'varchar', length: 2000, nullable: true }) logoUrl: string | null;
  @CreateDateColumn() createdAt: Date;
}
