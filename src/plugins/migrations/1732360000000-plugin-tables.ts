import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../../database/dialect';

export class PluginTables1732360000000 implements MigrationInterface {
  name = 'PluginTables1732360000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'plugin_cursors',
        columns: [
          { name: 'consumer', type: 'varchar', length: '64', isPrimary: true },
          { name: 'lastSeq', type: 'bigint' },
          { name: 'updatedAt', type: ts },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'plugin_deliveries',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'consumer', type: 'varchar', length: '64' },
          { name: 'eventSeq', type: 'bigint' },
          { name: 'eventId', type: 'varchar', length: '40' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer' },
          { name: 'nextAttemptAt', type: ts },
          { name: 'leaseUntil', type: ts, isNullable: true },
          { name: 'lastError', type: 'varchar', length: '1000', isNullable: true },
          { name: 'createdAt', type: ts },
          { name: 'updatedAt', type: ts },
        ],
        indices: [new TableIndex({ columnNames: ['consumer', 'eventSeq'], isUnique: true }), new TableIndex({ columnNames: ['status', 'nextAttemptAt'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'plugin_order_links',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'plugin', type: 'varchar', length: '40' },
          { name: 'storeId', type: 'varchar', length: '32' },
          { name: 'orderId', type: 'varchar', length: '200' },
          { name: 'checkoutId', type: 'varchar', length: '32' },
          { name: 'details', type: 'text', isNullable: true },
          { name: 'createdAt', type: ts, default: 'CURRENT_TIMESTAMP' },
        ],
        foreignKeys: [{ columnNames: ['storeId'], referencedTableName: 'stores', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [new TableIndex({ columnNames: ['plugin', 'storeId', 'orderId'], isUnique: true }), new TableIndex({ columnNames: ['checkoutId'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['plugin_order_links', 'plugin_deliveries', 'plugin_cursors']) await queryRunner.dropTable(table);
  }
}
