import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Stores can have a logo (an https URL) that the hosted page shows. */
export class StoreLogo1732660000001 implements MigrationInterface {
  name = 'StoreLogo1732660000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('stores', new TableColumn({ name: 'logoUrl', type: 'varchar', length: '2000', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('stores', 'logoUrl');
  }
}
