import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../dialect';

export class Initial1732350000000 implements MigrationInterface {
  name = 'Initial1732350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'stores',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'website', type: 'varchar', length: '2000', isNullable: true },
          { name: 'createdAt', type: ts, default: 'CURRENT_TIMESTAMP' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'storeId', type: 'varchar', length: '32' },
          { name: 'keyHash', type: 'varchar', length: '64' },
          { name: 'prefix', type: 'varchar', length: '16' },
          { name: 'label', type: 'varchar', length: '200' },
          { name: 'createdAt', type: ts, default: 'CURRENT_TIMESTAMP' },
          { name: 'revokedAt', type: ts, isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['storeId'], referencedTableName: 'stores', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [new TableIndex({ columnNames: ['storeId'] }), new TableIndex({ columnNames: ['keyHash'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'checkouts',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'storeId', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'additionalStatus', type: 'varchar', length: '16', default: "'None'" },
          { name: 'amountSats', type: 'bigint' },
          { name: 'currency', type: 'varchar', length: '8' },
          { name: 'amount', type: 'varchar', length: '40' },
          { name: 'rate', type: 'varchar', length: '40', isNullable: true },
          { name: 'orderId', type: 'varchar', length: '200', isNullable: true },
          { name: 'customerId', type: 'varchar', length: '200', isNullable: true },
          { name: 'description', type: 'varchar', length: '640', isNullable: true },
          { name: 'redirectUrl', type: 'varchar', length: '2000', isNullable: true },
          { name: 'metadata', type: 'text', isNullable: true },
          { name: 'idempotencyKey', type: 'varchar', length: '200', isNullable: true },
          { name: 'idempotencyFingerprint', type: 'varchar', length: '64', isNullable: true },
          { name: 'bolt11', type: 'text' },
          { name: 'paymentHash', type: 'varchar', length: '64' },
          { name: 'nodeName', type: 'varchar', length: '64' },
          { name: 'nodePubkey', type: 'varchar', length: '66' },
          { name: 'expiresAt', type: ts },
          { name: 'settledAt', type: ts, isNullable: true },
          { name: 'amountPaidSats', type: 'bigint', isNullable: true },
          { name: 'createdAt', type: ts, default: 'CURRENT_TIMESTAMP' },
          { name: 'updatedAt', type: ts, default: 'CURRENT_TIMESTAMP' },
        ],
        foreignKeys: [{ columnNames: ['storeId'], referencedTableName: 'stores', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [
          new TableIndex({ columnNames: ['storeId', 'idempotencyKey'], isUnique: true }),
          new TableIndex({ columnNames: ['storeId', 'createdAt'] }),
          new TableIndex({ columnNames: ['status', 'expiresAt'] }),
          new TableIndex({ columnNames: ['orderId'] }),
          new TableIndex({ columnNames: ['paymentHash'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'checkout_events',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'id', type: 'varchar', length: '40' },
          { name: 'storeId', type: 'varchar', length: '32' },
          { name: 'checkoutId', type: 'varchar', length: '32' },
          { name: 'type', type: 'varchar', length: '40' },
          { name: 'payload', type: 'text' },
          { name: 'createdAt', type: ts, default: 'CURRENT_TIMESTAMP' },
          { name: 'dispatchedAt', type: ts, isNullable: true },
        ],
        indices: [
          new TableIndex({ columnNames: ['id'], isUnique: true }),
          new TableIndex({ columnNames: ['checkoutId'] }),
          new TableIndex({ columnNames: ['dispatchedAt', 'seq'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['checkout_events', 'checkouts', 'api_keys', 'stores']) await queryRunner.dropTable(table);
  }
}
