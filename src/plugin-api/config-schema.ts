import { applyDecorators } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';

/*
 * Helpers for a plugin's options class (its manifest's `configSchema`): a class-validator class
 * the settings under `plugins.<name>` are validated against at start-up.
 */

/** One of our store ids (what a platform's shop or site feeds). */
export const IsStoreId = () => applyDecorators(IsString(), Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'storeId must be one of our store ids' }));
