import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/*
 * The plugin boundary, checked on every unit test run: a plugin reaches the server through
 * src/plugin-api alone, and touches the database only through the entities it declares itself.
 * Source is parsed with the TypeScript compiler, so comments and strings are not mistaken for
 * imports and every form of import is seen.
 */

const REPO_ROOT = resolve(__dirname, '../..');
const PLUGINS_DIR = join(REPO_ROOT, 'plugins');
const PLUGIN_API = join(REPO_ROOT, 'src', 'plugin-api');

/** Calls that name the entity a repository is for: the entity must be one the plugin declares. */
const REPOSITORY_CALLS = new Set(['InjectRepository', 'getRepository', 'getRepositoryToken', 'getTreeRepository', 'getMongoRepository', 'forFeature']);
/** Whole-database handles: with them a plugin could reach any table. */
const DATABASE_HANDLE_CALLS = new Set(['InjectDataSource', 'InjectEntityManager', 'InjectConnection']);
const DATABASE_HANDLE_TYPES = new Set(['DataSource', 'EntityManager', 'QueryRunner', 'Connection']);

interface Violation {
  file: string;
  line: number;
  message: string;
}

const isInside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

/** plugins/<name>: the folder whose files a plugin may import freely. */
function pluginFolder(file: string): string {
  const [name] = relative(PLUGINS_DIR, file).split(sep);
  return join(PLUGINS_DIR, name);
}

/** The violations in one plugin source file (its path decides what its relative imports reach). */
function boundaryViolations(file: string, text: string): Violation[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const violations: Violation[] = [];
  const own = pluginFolder(file);
  const report = (node: ts.Node, message: string) => {
    violations.push({ file: relative(REPO_ROOT, file), line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, message });
  };
  /** Local names bound by an import, and where that import points. */
  const importedFrom = new Map<string, string>();
  const declaredHere = new Set<string>();

  const checkSpecifier = (node: ts.Node, specifier: ts.Expression | undefined) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) {
      report(node, 'a module must be named by a string literal, so the plugin boundary can be checked');
      return;
    }
    const spec = specifier.text;
    const target = spec.startsWith('.')
      ? resolve(dirname(file), spec)
      : spec.startsWith('/')
        ? resolve(spec)
        : spec.startsWith('src/')
          ? join(REPO_ROOT, spec)
          : null;
    if (target && isInside(target, join(REPO_ROOT, 'src')) && target !== PLUGIN_API) {
      report(node, `imports '${spec}': plugins import from src/ only '${relative(dirname(file), PLUGIN_API).split(sep).join('/')}'`);
    }
  };

  const isOwnEntity = (node: ts.Expression): boolean => {
    if (!ts.isIdentifier(node)) return false;
    if (declaredHere.has(node.text)) return true;
    const from = importedFrom.get(node.text);
    return from !== undefined && from.startsWith('.') && isInside(resolve(dirname(file), from), own);
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      checkSpecifier(node, node.moduleSpecifier);
      const spec = ts.isStringLiteralLike(node.moduleSpecifier) ? node.moduleSpecifier.text : '';
      const clause = node.importClause;
      if (clause?.name) importedFrom.set(clause.name.text, spec);
      if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        for (const element of clause.namedBindings.elements) {
          importedFrom.set(element.name.text, spec);
          const imported = (element.propertyName ?? element.name).text;
          if (spec === 'typeorm' && DATABASE_HANDLE_TYPES.has(imported))
            report(element, `uses typeorm's ${imported}: plugins reach the database only through repositories of their own entities`);
        }
      }
      if (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings)) importedFrom.set(clause.namedBindings.name.text, spec);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      checkSpecifier(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      checkSpecifier(node, node.moduleReference.expression);
    } else if (ts.isImportTypeNode(node)) {
      const literal = ts.isLiteralTypeNode(node.argument) ? node.argument.literal : undefined;
      checkSpecifier(node, literal && ts.isStringLiteralLike(literal) ? literal : undefined);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        checkSpecifier(node, node.arguments[0]);
      } else {
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        if (DATABASE_HANDLE_CALLS.has(name)) report(node, `${name}(): plugins reach the database only through repositories of their own entities`);
        if (name === 'query' && ts.isPropertyAccessExpression(callee))
          report(node, 'raw SQL (.query()): plugins name their own entity classes, through a repository or PluginStorage.write');
        if (REPOSITORY_CALLS.has(name)) {
          const [first] = node.arguments;
          const entities = first && ts.isArrayLiteralExpression(first) ? [...first.elements] : first ? [first] : [];
          for (const entity of entities) {
            if (!isOwnEntity(entity))
              report(
                entity,
                `${name}(${entity.getText(source)}): a plugin may use repositories only of entities it declares itself (in its own folder, listed in its manifest's entities)`,
              );
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };

  // Declarations anywhere in the file count as its own, whatever their order.
  const collect = (node: ts.Node): void => {
    if ((ts.isClassDeclaration(node) || ts.isVariableDeclaration(node)) && node.name && ts.isIdentifier(node.name)) declaredHere.add(node.name.text);
    ts.forEachChild(node, collect);
  };
  collect(source);
  visit(source);
  return violations;
}

function pluginSourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : pluginSourceFiles(path);
    return /\.[cm]?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const format = (violations: Violation[]) => violations.map((v) => `${v.file}:${v.line}: ${v.message}`).join('\n');

describe('plugin boundary', () => {
  it('plugins import nothing from src/ but src/plugin-api, and no repository of an entity they do not declare', () => {
    const files = pluginSourceFiles(PLUGINS_DIR);
    expect(files.length).toBeGreaterThan(10);
    const violations = files.flatMap((file) => boundaryViolations(file, readFileSync(file, 'utf8')));
    expect(format(violations)).toBe('');
  });

  describe('the checker', () => {
    const sample = join(PLUGINS_DIR, 'sample', 'sample.service.ts');
    const check = (text: string) => format(boundaryViolations(sample, text));

    it('accepts the plugin API, third-party packages and the plugin’s own files', () => {
      const text = [
        "import { Injectable } from '@nestjs/common';",
        "import { PluginCheckouts, type StoreView } from '../../src/plugin-api';",
        "import { SampleOptions } from './sample.options';",
        "export { SampleThing } from './nested/sample-thing';",
        "// import { Checkout } from '../../src/checkout/checkout.entity';",
        'const note = "from \'../../src/stores/store.entity\'";',
      ].join('\n');
      expect(check(text)).toBe('');
    });

    it('reports every form of import into src/ other than the plugin API, with file and line', () => {
      const text = [
        "import { Injectable } from '@nestjs/common';",
        "import { Checkout } from '../../src/checkout/checkout.entity';",
        "import type { Store } from '../../src/stores/store.entity';",
        "export { ApiKeyGuard } from '../../src/stores/api-key.guard';",
        "import config = require('../../src/config/app-config');",
        "const lazy = () => import('../../src/lightning/lightning.service');",
        "const old = require('../../src/rates/rate.service');",
        "type Deep = import('../../src/webhooks/webhook-endpoint.entity').WebhookEndpoint;",
        "import { x } from '../../src/plugin-api/views';",
        "import { y } from 'src/common/problem';",
        'const dynamic = (name: string) => import(name);',
      ].join('\n');
      expect(check(text).split('\n')).toEqual([
        "plugins/sample/sample.service.ts:2: imports '../../src/checkout/checkout.entity': plugins import from src/ only '../../src/plugin-api'",
        "plugins/sample/sample.service.ts:3: imports '../../src/stores/store.entity': plugins import from src/ only '../../src/plugin-api'",
        "plugins/sample/sample.service.ts:4: imports '../../src/stores/api-key.guard': plugins import from src/ only '../../src/plugin-api'",
        "plugins/sample/sample.service.ts:5: imports '../../src/config/app-config': plugins import from src/ only '../../src/plugin-api'",
        "plugins/sample/sample.service.ts:6: imports '../../src/lightning/lightning.service': plugins import from src/ only '../../src/plugin-api'",
        "plugins/sample/sample.service.ts:7: imports '../../src/rates/rate.service': plugins import from src/ only '../../src/plugin-api'",
        "plugins/sample/sample.service.ts:8: imports '../../src/webhooks/webhook-endpoint.entity': plugins import from src/ only '../../src/plugin-api'",
        "plugins/sample/sample.service.ts:9: imports '../../src/plugin-api/views': plugins import from src/ only '../../src/plugin-api'",
        "plugins/sample/sample.service.ts:10: imports 'src/common/problem': plugins import from src/ only '../../src/plugin-api'",
        'plugins/sample/sample.service.ts:11: a module must be named by a string literal, so the plugin boundary can be checked',
      ]);
    });

    it('allows repositories of the plugin’s own entities only', () => {
      const text = [
        "import { InjectRepository, TypeOrmModule, InjectDataSource } from '@nestjs/typeorm';",
        "import { Repository, DataSource } from 'typeorm';",
        "import { SampleEntity } from './sample.entity';",
        "import { Elsewhere } from '../other/other.entity';",
        'class Local {}',
        'export class SampleService {',
        '  constructor(',
        '    @InjectRepository(SampleEntity) private readonly mine: Repository<SampleEntity>,',
        '    @InjectRepository(Local) private readonly local: Repository<Local>,',
        '    @InjectRepository(Elsewhere) private readonly theirs: Repository<Elsewhere>,',
        '    @InjectDataSource() private readonly db: DataSource,',
        '  ) {}',
        "  raw() { return this.mine.manager.getRepository('checkouts'); }",
        "  sql() { return this.mine.query('SELECT * FROM checkouts'); }",
        '}',
        'const feature = TypeOrmModule.forFeature([SampleEntity, Elsewhere]);',
      ].join('\n');
      expect(check(text).split('\n')).toEqual([
        "plugins/sample/sample.service.ts:2: uses typeorm's DataSource: plugins reach the database only through repositories of their own entities",
        "plugins/sample/sample.service.ts:10: InjectRepository(Elsewhere): a plugin may use repositories only of entities it declares itself (in its own folder, listed in its manifest's entities)",
        'plugins/sample/sample.service.ts:11: InjectDataSource(): plugins reach the database only through repositories of their own entities',
        "plugins/sample/sample.service.ts:13: getRepository('checkouts'): a plugin may use repositories only of entities it declares itself (in its own folder, listed in its manifest's entities)",
        'plugins/sample/sample.service.ts:14: raw SQL (.query()): plugins name their own entity classes, through a repository or PluginStorage.write',
        "plugins/sample/sample.service.ts:16: forFeature(Elsewhere): a plugin may use repositories only of entities it declares itself (in its own folder, listed in its manifest's entities)",
      ]);
    });

    it('fails on the Greenfield plugin as it was: its own query of the checkouts table', () => {
      const text = [
        "import { InjectRepository } from '@nestjs/typeorm';",
        "import { Repository } from 'typeorm';",
        "import { Checkout } from '../../src/checkout/checkout.entity';",
        'export class GreenfieldInvoicesController {',
        '  constructor(@InjectRepository(Checkout) private readonly repo: Repository<Checkout>) {}',
        '}',
      ].join('\n');
      expect(check(text).split('\n')).toEqual([
        "plugins/sample/sample.service.ts:3: imports '../../src/checkout/checkout.entity': plugins import from src/ only '../../src/plugin-api'",
        "plugins/sample/sample.service.ts:5: InjectRepository(Checkout): a plugin may use repositories only of entities it declares itself (in its own folder, listed in its manifest's entities)",
      ]);
    });
  });
});
