import type { Type } from '@nestjs/common';
import type { MigrationInterface } from 'typeorm';

/** Classes handed to TypeORM's DataSource: entities, and migrations it instantiates itself. */
export type EntityClass = Type<unknown>;
export type MigrationClass = Type<MigrationInterface>;
