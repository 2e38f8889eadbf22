/**
 * Markdown for result tables as readers see them (notebooks, summary.md): a cell that does not apply (NaN, null,
 * undefined) is blank rather than 'NaN', and each numeric column has one number format, the fewest decimals (up
 * to `maxdigits`) that show every value of the column, so '2.6' and '2.57' never share a column.
 */
import type { ColumnTable } from 'arquero';

export interface MarkdownOptions {
  /** Most decimals in a numeric column (default 3). */
  maxdigits?: number;
  /** Rows shown (default: all). */
  limit?: number;
}

const blank = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));

/** Decimals (≤ maxdigits) needed to show `v` rounded to maxdigits without trailing zeros. */
function decimalsOf(v: number, maxdigits: number): number {
  const s = v.toFixed(maxdigits).replace(/0+$/, '');
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function tableMarkdown(table: ColumnTable, opts: MarkdownOptions = {}): string {
  const maxdigits = opts.maxdigits ?? 3;
  const names = table.columnNames();
  const rows = table.objects({ limit: opts.limit }) as Record<string, unknown>[];
  const format = new Map<string, (v: unknown) => string>();
  for (const name of names) {
    const values = rows.map((r) => r[name]).filter((v) => !blank(v));
    const numeric = values.length > 0 && values.every((v) => typeof v === 'number');
    if (numeric) {
      const digits = Math.max(...(values as number[]).map((v) => (Number.isFinite(v) ? decimalsOf(v, maxdigits) : 0)));
      format.set(name, (v) =>
        blank(v) ? '' : Number.isFinite(v as number) ? (v as number).toFixed(digits) : String(v),
      );
    } else {
      format.set(name, (v) => (blank(v) ? '' : String(v)));
    }
  }
  const align = names.map((n) => (rows.some((r) => typeof r[n] === 'number') ? '-:' : ':-'));
  const lines = [
    `|${names.map(escapeCell).join('|')}|`,
    `|${align.join('|')}|`,
    ...rows.map((r) => `|${names.map((n) => escapeCell(format.get(n)!(r[n]))).join('|')}|`),
  ];
  return `${lines.join('\n')}\n`;
}
