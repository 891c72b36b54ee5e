import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/columns';

/** How far a plugin consumer has read the `checkout_events` outbox: events up to `lastSeq` are queued for it. */
@Entity('plugin_cursors')
export class PluginCursor {
  @PrimaryColumn({ type: 'varchar', length: 64 }) consumer: string;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) lastSeq: number;
  @Column({ type: Date }) updatedAt: Date;
}
