import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One running server process. It renews `heartbeatAt` every `instances.heartbeatMs`; work it leased
 * (webhook and plugin deliveries carry its id as `leaseOwner`) is taken back by any other process
 * once the heartbeat is older than `instances.deadAfterMs`, instead of when the lease runs out.
 */
@Entity('instances')
export class Instance {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id: string;
  /** For the operator: which machine and process this was. */
  @Column({ type: 'varchar', length: 255 }) host: string;
  @Column({ type: 'integer' }) pid: number;
  @Column({ type: Date }) startedAt: Date;
  @Column({ type: Date }) heartbeatAt: Date;
  /** Set when another process found it dead and released its leases; cleared if it beats again. */
  @Column({ type: Date, nullable: true }) reapedAt: Date | null;
}
