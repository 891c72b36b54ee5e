import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Checkouts can be archived: hidden from lists (BTCPay's invoice archive), otherwise unchanged. */
export class CheckoutArchived1732640000001 implements MigrationInterface {
  name = 'CheckoutArchived1732640000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('checkouts', new TableColumn({ name: 'archived', type: 'boolean', default: false }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('checkouts', 'archived');
  }
}
