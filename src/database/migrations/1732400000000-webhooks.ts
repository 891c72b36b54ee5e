import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../dialect';

export class Webhooks1732400000000 implements MigrationInterface {
  name = 'Webhooks1732400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'webhook_endpoints',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'storeId', type: 'varchar', length: '32' },
          { name: 'url', type: 'varchar', length: '2000' },
          { name: 'description', type: 'varchar', length: '500', isNullable: true },
          { name: 'events', type: 'text' },
          { name: 'enabled', type: 'boolean' },
          { name: 'secret', type: 'varchar', length: '200' },
          { name: 'previousSecret', type: 'varchar', length: '200', isNullable: true },
          { name: 'previousSecretExpiresAt', type: ts, isNullable: true },
          { name: 'disabledReason', type: 'varchar', length: '200', isNullable: true },
          { name: 'createdAt', type: ts, default: 'CURRENT_TIMESTAMP' },
          { name: 'updatedAt', type: ts, default: 'CURRENT_TIMESTAMP' },
        ],
        foreignKeys: [{ columnNames: ['storeId'], referencedTableName: 'stores', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [new TableIndex({ columnNames: ['storeId'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'id', type: 'varchar', length: '40' },
          { name: 'endpointId', type: 'varchar', length: '32' },
          { name: 'storeId', type: 'varchar', length: '32' },
          { name: 'eventId', type: 'varchar', length: '40' },
          { name: 'type', type: 'varchar', length: '40' },
          { name: 'checkoutId', type: 'varchar', length: '32' },
          { name: 'body', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'nextAttemptAt', type: ts },
          { name: 'lockedUntil', type: ts, isNullable: true },
          { name: 'lastStatusCode', type: 'integer', isNullable: true },
          { name: 'lastError', type: 'varchar', length: '500', isNullable: true },
          { name: 'isRedelivery', type: 'boolean', default: false },
          { name: 'originalDeliveryId', type: 'varchar', length: '40', isNullable: true },
          { name: 'createdAt', type: ts, default: 'CURRENT_TIMESTAMP' },
          { name: 'completedAt', type: ts, isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['endpointId'], referencedTableName: 'webhook_endpoints', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [
          new TableIndex({ columnNames: ['id'], isUnique: true }),
          new TableIndex({ columnNames: ['endpointId', 'status', 'seq'] }),
          new TableIndex({ columnNames: ['status', 'nextAttemptAt'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_attempts',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'deliveryId', type: 'varchar', length: '40' },
          { name: 'attempt', type: 'integer' },
          { name: 'url', type: 'varchar', length: '2000' },
          { name: 'requestHeaders', type: 'text' },
          { name: 'responseStatus', type: 'integer', isNullable: true },
          { name: 'responseBody', type: 'text', isNullable: true },
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
          { name: 'latencyMs', type: 'integer' },
          { name: 'attemptedAt', type: ts },
        ],
        foreignKeys: [{ columnNames: ['deliveryId'], referencedTableName: 'webhook_deliveries', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [new TableIndex({ columnNames: ['deliveryId', 'attempt'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_endpoints']) await queryRunner.dropTable(table);
  }
}
