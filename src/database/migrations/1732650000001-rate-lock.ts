import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { timestampType } from '../dialect';

/** Checkouts keep the exchange rate they were priced at (rate, sources, time, spread); stores get a spread. */
export class RateLock1732650000001 implements MigrationInterface {
  name = 'RateLock1732650000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampType(queryRunner);
    await queryRunner.addColumns('checkouts', [
      new TableColumn({ name: 'rateBtc', type: 'varchar', length: '40', isNullable: true }),
      new TableColumn({ name: 'rateSources', type: 'text', isNullable: true }),
      new TableColumn({ name: 'rateAt', type: timestamp, isNullable: true }),
      new TableColumn({ name: 'rateSpreadPercent', type: 'varchar', length: '16', isNullable: true }),
    ]);
    await queryRunner.addColumn('stores', new TableColumn({ name: 'spreadPercent', type: 'varchar', length: '16', default: "'0'" }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('stores', 'spreadPercent');
    for (const name of ['rateSpreadPercent', 'rateAt', 'rateSources', 'rateBtc']) await queryRunner.dropColumn('checkouts', name);
  }
}
