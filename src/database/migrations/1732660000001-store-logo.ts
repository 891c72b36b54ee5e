import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Stores can have a logo (an https URL) that the hosted page shows. */
export class StoreLogo1732660000001 implements MigrationInterface {
  name = 'StoreLogo1732660000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('stores', new TableColumn({ name: 'logoUrl', type: 'varchar', length: '2000', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // TypeORM drops a SQLite column by rebuilding the table, and a revert runs with foreign keys on:
    // dropping `stores` would cascade to every key and checkout. SQLite drops a plain column in place.
    if (queryRunner.connection.options.type === 'better-sqlite3') await queryRunner.query('ALTER TABLE "stores" DROP COLUMN "logoUrl"');
    else await queryRunner.dropColumn('stores', 'logoUrl');
  }
}
