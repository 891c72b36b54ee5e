import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonText } from '../database/columns';

/** Only the SHA-256 of a key is stored; keys are 256-bit random, so a fast hash is enough. */
@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn({ type: 'varchar', length: 32 }) id: string;
  @Index() @Column({ type: 'varchar', length: 32 }) storeId: string;
  @Index({ unique: true }) @Column({ type: 'varchar', length: 64 }) keyHash: string;
  /** The first characters of the key, shown to tell keys apart. */
  @Column({ type: 'varchar', length: 16 }) prefix: string;
  @Column({ type: 'varchar', length: 200 }) label: string;
  /** BTCPay permission strings, `policy:storeId` (see permissions.ts), exactly as granted. */
  @Column({ type: 'text', transformer: jsonText }) permissions: string[];
  @CreateDateColumn() createdAt: Date;
  @Column({ type: Date, nullable: true }) revokedAt: Date | null;
}
