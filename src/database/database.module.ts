import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ConfigError } from '../config/load-config';
import { enabledPluginTables } from '../plugins/registry';
import { dataSourceOptions } from './data-source-options';
import { guardSqliteWrites } from './sqlite-write-guard';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      // The enabled plugins' tables too: resolving them loads the plugins (once per configuration).
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database, enabledPluginTables(config)),
        retryAttempts: 3,
        retryDelay: 1000,
        toRetry: (err: unknown) => !(err instanceof ConfigError),
      }),
      // Migrations run during initialize; from then on SQLite writes go through UnitOfWork only.
      dataSourceFactory: async (options?: DataSourceOptions) => {
        const dataSource = await new DataSource(options!).initialize();
        if (dataSource.options.type === 'better-sqlite3') guardSqliteWrites(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [UnitOfWork],
  exports: [UnitOfWork],
})
export class DatabaseModule {}
