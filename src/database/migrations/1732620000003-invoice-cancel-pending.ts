import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Set with the Invalid status, cleared once the issuing node has canceled the invoice: a cancel
 * that could not reach the node is retried by reconciliation until it does.
 */
export class InvoiceCancelPending1732620000003 implements MigrationInterface {
  name = 'InvoiceCancelPending1732620000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('checkouts', new TableColumn({ name: 'invoiceCancelPending', type: 'boolean', default: 'false' }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('checkouts', 'invoiceCancelPending');
  }
}
