import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** A plugin delivery's lease names the instance holding it, so a dead instance's leases are taken back early. */
export class PluginLeaseOwner1732660000002 implements MigrationInterface {
  name = 'PluginLeaseOwner1732660000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('plugin_deliveries', new TableColumn({ name: 'leaseOwner', type: 'varchar', length: '40', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('plugin_deliveries', 'leaseOwner');
  }
}
