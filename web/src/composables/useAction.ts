// 表格行上的单个操作（标为已读、通过、发布……）：记住正在处理的是哪一行，失败时交给 onError 显示。
import { reactive, ref } from 'vue'

export function useAction<K extends string | number>(onError: (e: unknown) => void) {
  const busy = ref<K | null>(null)

  async function run(key: K, fn: () => Promise<unknown>): Promise<boolean> {
    busy.value = key
    try {
      await fn()
      return true
    } catch (e) {
      onError(e)
      return false
    } finally {
      busy.value = null
    }
  }

  return reactive({ busy, run })
}
