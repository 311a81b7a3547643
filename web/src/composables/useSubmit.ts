// 表单提交的公共状态：进行中、顶部错误、逐字段错误（返回 reactive 对象）。
// - 服务端 fields[] 逐项放进 fieldErrors（ElFormItem :error 显示在字段下方）；
// - 能全部就地显示时 quiet=true：顶部只向读屏软件播报，不重复显示（FormAlert :quiet）；
// - 其它错误（401、403、409、429、网络）只在顶部显示服务端的中文 message。
import { reactive, ref } from 'vue'
import { ApiError } from '@/api/client'
import { errorMessage } from '@/utils/errors'
import { allFieldsShown } from '@/utils/validators'

export interface SubmitOptions {
  /** 表单中能在字段下方显示错误的字段名；省略 = 字段错误一律也在顶部显示 */
  fields?: readonly string[]
  /** 把异常转成顶部说明（默认 errorMessage） */
  describe?: (e: unknown) => string
}

export function useSubmit(opts: SubmitOptions = {}) {
  const busy = ref(false)
  const error = ref('')
  const quiet = ref(false)
  const fieldErrors = ref<Record<string, string | undefined>>({})

  function reset(): void {
    error.value = ''
    quiet.value = false
    fieldErrors.value = {}
  }

  /** 显示一个异常（服务端字段错误放到字段下方） */
  function fail(e: unknown): void {
    if (e instanceof ApiError && e.hasFieldErrors()) fieldErrors.value = e.fieldErrors
    error.value = opts.describe ? opts.describe(e) : errorMessage(e)
    quiet.value = !!opts.fields && e instanceof ApiError && allFieldsShown(e.fields, opts.fields)
  }

  /** 客户端先行校验：有错误时显示在字段下方并返回 true（不发请求） */
  function invalid(local: Record<string, string | null | undefined>, summary = ''): boolean {
    const errs = Object.fromEntries(Object.entries(local).filter(([, v]) => !!v)) as Record<string, string>
    if (!Object.keys(errs).length) return false
    fieldErrors.value = errs
    error.value = summary
    quiet.value = !!summary
    return true
  }

  /** 只显示顶部说明（不是服务端错误，例如「请先勾选承诺声明」） */
  function say(message: string): void {
    reset()
    error.value = message
  }

  function clearField(name: string): void {
    if (fieldErrors.value[name]) fieldErrors.value = { ...fieldErrors.value, [name]: undefined }
  }

  /**
   * 执行一次提交：清除旧错误 → busy → fn()。失败时先交给 onError（返回 true 表示已处理），否则 fail(e)。
   * 返回是否成功。
   */
  async function run(fn: () => Promise<unknown>, onError?: (e: unknown) => boolean | void): Promise<boolean> {
    reset()
    busy.value = true
    try {
      await fn()
      return true
    } catch (e) {
      if (!onError?.(e)) fail(e)
      return false
    } finally {
      busy.value = false
    }
  }

  // reactive：模板与脚本中都直接用 submit.busy、submit.fieldErrors.x（不必写 .value）
  return reactive({ busy, error, quiet, fieldErrors, reset, fail, invalid, say, clearField, run })
}

export type Submit = ReturnType<typeof useSubmit>
