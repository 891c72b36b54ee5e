import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timestampType } from '../dialect';

/** The dev node's invoices, kept like a real node keeps its own (they used to live in memory only). */
export class DevInvoices1732620000002 implements MigrationInterface {
  name = 'DevInvoices1732620000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'dev_invoices',
        columns: [
          { name: 'paymentHash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'nodeName', type: 'varchar', length: '64' },
          { name: 'amountSats', type: 'bigint' },
          { name: 'createdAt', type: ts },
          { name: 'expiresAt', type: ts },
          { name: 'settledAt', type: ts, isNullable: true },
          { name: 'amountPaidSats', type: 'bigint', isNullable: true },
          { name: 'canceledAt', type: ts, isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('dev_invoices');
  }
}
