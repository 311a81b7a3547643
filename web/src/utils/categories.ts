// 分类树 → 平铺的选项（手机上的分类选择）：完整路径作标签，按文字筛选。
export interface CategoryTreeNode {
  name: string
  path: string
  children: CategoryTreeNode[]
}

export interface CategoryOption {
  path: string
  /** 「一级 / 二级 / 三级」 */
  label: string
  depth: number
}

export function flattenCategories(nodes: readonly CategoryTreeNode[], parents: string[] = []): CategoryOption[] {
  const out: CategoryOption[] = []
  for (const n of nodes) {
    const names = [...parents, n.name]
    out.push({ path: n.path, label: names.join(' / '), depth: parents.length })
    out.push(...flattenCategories(n.children ?? [], names))
  }
  return out
}

/** 按文字筛选（忽略空白，匹配路径中任一级的名称）；最多 limit 项 */
export function filterCategories(all: readonly CategoryOption[], text: string, limit = 60): CategoryOption[] {
  const words = text.trim().split(/\s+/).filter(Boolean)
  const hit = words.length ? all.filter((c) => words.every((w) => c.label.includes(w))) : all
  return hit.slice(0, limit)
}

export interface CountedCategory {
  count: number
  children: CountedCategory[]
}

/** 去掉没有已发布资源的分类（各级都去掉） */
export function nonEmptyCategories<T extends CountedCategory>(nodes: readonly T[]): T[] {
  return nodes.filter((n) => n.count > 0).map((n) => ({ ...n, children: nonEmptyCategories(n.children as T[]) }))
}
