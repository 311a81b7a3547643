// 页面数据加载的公共状态：正在加载、加载失败的中文说明、数据本身、重新加载。
import { onMounted, reactive, ref, type Ref } from 'vue'
import { errorMessage } from '@/utils/errors'

export interface LoadOptions {
  /** 挂载时自动加载（默认 true） */
  immediate?: boolean
  /** 把异常转成说明（默认 errorMessage） */
  describe?: (e: unknown) => string
}

export function useLoad<T>(loader: () => Promise<T>, initial: T, opts: LoadOptions = {}) {
  const data = ref(initial) as Ref<T>
  const loading = ref(opts.immediate !== false)
  const error = ref('')
  /** 至少成功加载过一次 */
  const loaded = ref(false)

  // 只有最后一次加载的结果生效：先发出的请求后返回（如切换筛选条件时挂载加载尚未结束）不会覆盖新结果。
  let latest = 0
  async function load(): Promise<boolean> {
    const mine = ++latest
    loading.value = true
    error.value = ''
    try {
      const value = await loader()
      if (mine !== latest) return false
      data.value = value
      loaded.value = true
      return true
    } catch (e) {
      if (mine !== latest) return false
      error.value = opts.describe ? opts.describe(e) : errorMessage(e)
      return false
    } finally {
      if (mine === latest) loading.value = false
    }
  }

  if (opts.immediate !== false) onMounted(load)
  // reactive：state.data、state.loading 直接可用（模板中不必写 .value）
  return reactive({ data, loading, error, loaded, load })
}
