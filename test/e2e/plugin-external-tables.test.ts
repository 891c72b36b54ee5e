// An external plugin with tables of its own: its migration runs on the first start that enables it
// (not before), the server still starts and migrates once it is disabled again, its rows survive,
// the TypeORM CLI's data source (src/database/data-source.ts) sees it, and PluginStorage.write
// reaches its entity but not the core's tables. The plugin folder has its own copy of @nestjs/common.
import { transformFile } from '@swc/core';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CompiledServer, compileServer, REPO_ROOT, ServerProcess, spawnServer, SWC_OPTIONS } from '../support/server-process';
import { createTestDatabase, queryDatabase, TestDatabase } from '../support/test-db';

jest.setTimeout(240_000);

const NOTES_PLUGIN = `
import { Body, Controller, Get, Injectable, NotFoundException, Param, Post } from '@nestjs/common';
import { Column, Entity, MigrationInterface, PrimaryColumn, QueryRunner } from 'typeorm';
import { CheckoutPlugin, PluginStorage } from 'lightning-checkout/plugin-api';

@Entity('notes_plugin_notes')
export class Note {
  @PrimaryColumn({ type: 'varchar', length: 64 }) id: string;
  @Column({ type: 'varchar', length: 200 }) text: string;
}

export class NotesTable1900000000000 implements MigrationInterface {
  name = 'NotesTable1900000000000';
  async up(q: QueryRunner) {
    await q.query('CREATE TABLE "notes_plugin_notes" ("id" varchar(64) PRIMARY KEY NOT NULL, "text" varchar(200) NOT NULL)');
  }
  async down(q: QueryRunner) {
    await q.query('DROP TABLE "notes_plugin_notes"');
  }
}

@Controller('plugins/notes')
export class NotesController {
  constructor(private readonly storage: PluginStorage) {}

  @Post(':id')
  async put(@Param('id') id: string, @Body() body: { text: string }) {
    await this.storage.write((m) => m.save(Object.assign(new Note(), { id, text: String(body.text) })));
    return { id };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const note = await this.storage.write((m) => m.findOneBy(Note, { id }));
    if (!note) throw new NotFoundException();
    return note;
  }

  /** What a plugin must not do: write the core's checkouts table. */
  @Post('attack/checkouts')
  async attack() {
    try {
      await this.storage.write((m) => m.update('checkouts', { archived: false }, { archived: true }));
      return { refused: false };
    } catch (err) {
      return { refused: /PluginStorage/.test((err as Error).message) };
    }
  }
}

@CheckoutPlugin({ name: 'notes', version: '1.0.0', compatibility: '>=0.1.0', entities: [Note], migrations: [NotesTable1900000000000], controllers: [NotesController] })
export class NotesPlugin {}
`;

describe('an external plugin with its own tables, enabled on a later start and disabled again', () => {
  let dir: string;
  let db: TestDatabase;
  let compiled: CompiledServer;
  let server: ServerProcess | undefined;

  const configFor = (name: string, enabled: string[]) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, stringify({ database: db.config, plugins: { enabled } }));
    return file;
  };
  const start = async (name: string, enabled: string[]) => {
    server = spawnServer({ name, script: compiled.entry('src/main.ts'), env: { CONFIG_FILE: configFor(name, enabled), LOG_LEVEL: 'warn' } });
    return server.ready;
  };
  const stop = async () => {
    await server?.stop();
    server = undefined;
  };
  const tableExists = async () => {
    const sql =
      db.config.type === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'notes_plugin_notes'"
        : "SELECT table_name FROM information_schema.tables WHERE table_name = 'notes_plugin_notes'";
    return (await queryDatabase(db, sql)).length === 1;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lc-plugin-tables-'));
    mkdirSync(join(dir, 'notes'));
    writeFileSync(join(dir, 'notes', 'package.json'), JSON.stringify({ name: 'checkout-plugin-notes', version: '1.0.0', main: 'notes.plugin.js' }));
    writeFileSync(join(dir, 'notes', 'notes.plugin.ts'), NOTES_PLUGIN);
    writeFileSync(join(dir, 'notes', 'notes.plugin.js'), (await transformFile(join(dir, 'notes', 'notes.plugin.ts'), SWC_OPTIONS)).code);
    // What `npm install` leaves in a plugin folder: its own copy of the peer dependency @nestjs/common.
    cpSync(join(REPO_ROOT, 'node_modules', '@nestjs', 'common'), join(dir, 'notes', 'node_modules', '@nestjs', 'common'), {
      recursive: true,
      dereference: true,
    });
    db = await createTestDatabase();
    compiled = await compileServer();
  });
  afterEach(stop);
  afterAll(async () => {
    compiled?.remove();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates its table on the first start that enables it, keeps its rows across a start without it, and refuses core tables', async () => {
    await start('core-only', []);
    await stop();
    expect(await tableExists()).toBe(false);

    let url = await start('with-notes', ['./notes']);
    expect(await tableExists()).toBe(true);
    expect(
      (await fetch(`${url}/plugins/notes/n1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'first' }) }))
        .status,
    ).toBe(201);
    expect(await (await fetch(`${url}/plugins/notes/n1`)).json()).toEqual({ id: 'n1', text: 'first' });
    // The plugin's NotFoundException is the server's HttpException (one Nest), so a 404 problem, not a 500.
    const missing = await fetch(`${url}/plugins/notes/missing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await (await fetch(`${url}/plugins/notes/attack/checkouts`, { method: 'POST' })).json()).toEqual({ refused: true });
    await stop();

    // Disabled: its migration is in the migrations table but not in the code; start-up must not mind.
    url = await start('disabled-again', []);
    expect((await fetch(`${url}/plugins/notes/n1`)).status).toBe(404);
    await stop();

    url = await start('enabled-again', ['./notes']);
    expect(await (await fetch(`${url}/plugins/notes/n1`)).json()).toEqual({ id: 'n1', text: 'first' });
  });

  it("the TypeORM CLI's data source includes the enabled plugin's migration", async () => {
    const cli = join(REPO_ROOT, 'node_modules', 'typeorm', 'cli.js');
    const run = await new Promise<{ code: number; out: string }>((resolveRun) =>
      execFile(
        process.execPath,
        [cli, 'migration:show', '-d', compiled.entry('src/database/data-source.ts')],
        {
          cwd: REPO_ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            NODE_PATH: join(REPO_ROOT, 'node_modules'),
            CONFIG_FILE: configFor('cli', ['./notes']),
          },
        },
        (err, stdout, stderr) => resolveRun({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    expect(run.out).toMatch(/\[X\] \d+ NotesTable1900000000000/);
    expect(run.code).toBe(0);
  });
});
