import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { timestampType } from '../dialect';

/**
 * Server processes register with a heartbeat (`instances`), and a webhook delivery's lease names the
 * instance holding it, so a dead instance's deliveries are taken back within seconds. The lease
 * generation makes a fresh BullMQ job id when that happens.
 */
export class Instances1732670000001 implements MigrationInterface {
  name = 'Instances1732670000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'instances',
        columns: [
          { name: 'id', type: 'varchar', length: '40', isPrimary: true },
          { name: 'host', type: 'varchar', length: '255' },
          { name: 'pid', type: 'integer' },
          { name: 'startedAt', type: ts },
          { name: 'heartbeatAt', type: ts },
          { name: 'reapedAt', type: ts, isNullable: true },
        ],
      }),
    );
    await queryRunner.addColumns('webhook_deliveries', [
      new TableColumn({ name: 'leaseOwner', type: 'varchar', length: '40', isNullable: true }),
      new TableColumn({ name: 'leaseGeneration', type: 'integer', default: 0 }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('webhook_deliveries', 'leaseGeneration');
    await queryRunner.dropColumn('webhook_deliveries', 'leaseOwner');
    await queryRunner.dropTable('instances');
  }
}
