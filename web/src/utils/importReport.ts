// 批量导入检查结果 → 表格行（按行号、字段排序）与摘要。
import type { ImportReport, ImportRowError } from '@/api/resources'

export interface ImportErrorRow {
  key: string
  row: number
  /** 字段的中文名（标准字段名）；整行/整表问题时为「—」 */
  field: string
  message: string
}

export function importErrorRows(errors: ImportRowError[]): ImportErrorRow[] {
  return [...errors]
    .map((e, i) => ({
      key: `${e.row}-${e.field}-${i}`,
      row: Number(e.row) || 0,
      field: e.label || e.field || '—',
      message: stripRowPrefix(String(e.message ?? '')),
      order: i,
    }))
    .sort((a, b) => a.row - b.row || a.order - b.order)
    .map(({ order: _o, ...r }) => r)
}

/** 导入失败时服务端在 message 前加了「第 N 行：」，表格里已有行号列，去掉重复 */
export function stripRowPrefix(msg: string): string {
  return msg.replace(/^第\s*\d+\s*行[：:]\s*/, '')
}

export function importSummary(r: ImportReport): string {
  const parts = [`共 ${r.total_rows} 行`, `正确 ${r.valid_rows} 行`]
  if (r.update_rows > 0) parts.push(`其中更新已有资源 ${r.update_rows} 行`)
  parts.push(r.error_rows > 0 ? `有错误 ${r.error_rows} 行（${r.errors.length} 处）` : '没有错误')
  return parts.join('，')
}

/** 只有检查过、没有错误、至少有一行数据时才能确认导入 */
export function canConfirmImport(r: ImportReport | null): boolean {
  return !!r && r.errors.length === 0 && r.valid_rows > 0
}
