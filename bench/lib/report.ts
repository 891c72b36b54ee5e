/** One row of the benchmark table. run() of every bench returns a list of these. */
export interface Row {
  bench: string;
  figure: string;
  value: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  /** 'pass' / 'FAIL' against the target, when there is one. */
  verdict?: string;
  note?: string;
}

export function unavailable(bench: string, figure: string, reason: string): Row {
  return { bench, figure, value: `unavailable: ${reason}` };
}

const cell = (text: string | undefined) => (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(rows: Row[]): string {
  const header = ['bench', 'figure', 'value', 'baseline', 'ratio', 'target', 'verdict', 'note'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(`| ${[r.bench, r.figure, r.value, r.baseline, r.ratio, r.target, r.verdict, r.note].map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

export function errorMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);
}

/** Shared runner for `node dist/bench/<name>.js`: prints the rows as a table, exit code 1 on a crash. */
export function runStandalone(run: () => Promise<Row[]>): void {
  run()
    .then((rows) => {
      console.log(markdownTable(rows));
      process.exit(0);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
