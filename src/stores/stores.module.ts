import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { Store } from './store.entity';
import { StoresController } from './stores.controller';
import { StoresService } from './stores.service';

@Module({
  imports: [TypeOrmModule.forFeature([Store, ApiKey])],
  controllers: [StoresController],
  providers: [StoresService, ApiKeyGuard],
  exports: [StoresService, ApiKeyGuard],
})
export class StoresModule {}
