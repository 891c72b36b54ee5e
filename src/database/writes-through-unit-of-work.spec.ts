import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The static half of the write discipline (the runtime half is sqlite-write-guard.ts, which only
 * sees the code paths a test runs, and only on SQLite): no source file writes through a repository
 * (injected or from `getRepository`) or its query builder. Writes take the EntityManager that
 * UnitOfWork.run hands over. A deliberate exception carries the comment `write outside the unit of
 * work:` and its reason on the line before.
 */
const ROOT = join(__dirname, '../..');
const WRITE_METHODS = 'save|insert|update|delete|upsert|remove|softDelete|restore|increment|decrement|clear';
const EXCEPTION = /\/\/ write outside the unit of work:/;

export function writesOutsideUnitOfWork(source: string): string[] {
  const repositories = new Set<string>();
  for (const match of source.matchAll(/@InjectRepository\(\w+\)\s*(?:(?:private|protected|public|readonly)\s+)*(\w+)/g)) repositories.add(match[1]);
  for (const match of source.matchAll(/(?:const|let)\s+(\w+)\s*=\s*[^;]*?getRepository\(/g)) repositories.add(match[1]);
  for (const match of source.matchAll(/get\s+(\w+)\(\)[^{]*\{\s*return\s+[^;]*getRepository\(/g)) repositories.add(match[1]);
  const receivers = [...repositories].map((name) => `(?:this\\.)?${name}`);
  receivers.push('getRepository\\([^)]*\\)');
  const receiver = `(?:${receivers.join('|')})`;
  const patterns = [
    new RegExp(`\\b${receiver}\\s*\\.\\s*(?:${WRITE_METHODS})\\s*\\(`, 'g'),
    new RegExp(`\\b${receiver}\\s*\\.\\s*createQueryBuilder\\([^)]*\\)\\s*\\.\\s*(?:insert|update|delete|softDelete|restore)\\s*\\(`, 'g'),
  ];
  const found: string[] = [];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) {
      const start = source.lastIndexOf('\n', match.index) + 1;
      const before = source.slice(source.lastIndexOf('\n', start - 2) + 1, start);
      if (EXCEPTION.test(before)) continue;
      const line = source.slice(0, match.index).split('\n').length;
      found.push(`${line}: ${match[0].replace(/\s+/g, ' ')}`);
    }
  }
  return found;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

describe('every write goes through the unit of work (static check)', () => {
  it('finds writes through repositories and their query builders, and lets manager writes and marked exceptions pass', () => {
    const bad = `
      class A {
        constructor(@InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>, private readonly uow: UnitOfWork) {}
        revoke() { return this.keys.update({ id }, { revokedAt: new Date() }); }
        link() { return this.uow.dataSource.getRepository(Link).createQueryBuilder().insert().into(Link).values({}).execute(); }
        done() { const repo = this.uow.dataSource.getRepository(Delivery); return repo.update({ id }, { status: 'done' }); }
        fine() { return this.uow.run((m) => m.update(ApiKey, { id }, { revokedAt: new Date() })); }
        read() { return this.keys.find({ where: { id } }); }
        mapDelete() { this.cache.delete(id); }
        lease() {
          // write outside the unit of work: one autocommit statement on PostgreSQL only
          return this.keys.createQueryBuilder().update(ApiKey).set({}).execute();
        }
      }`;
    const found = writesOutsideUnitOfWork(bad);
    expect(found).toHaveLength(3);
    expect(found.join('\n')).toMatch(/this\.keys\.update/);
    expect(found.join('\n')).toMatch(/getRepository\(Link\)\.createQueryBuilder\(\)\.insert/);
    expect(found.join('\n')).toMatch(/repo\.update/);
  });

  it('src/ and plugins/ have none', () => {
    const violations: string[] = [];
    for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'plugins'))]) {
      for (const hit of writesOutsideUnitOfWork(readFileSync(file, 'utf8'))) violations.push(`${relative(ROOT, file)}:${hit}`);
    }
    expect(violations).toEqual([]);
  });
});
