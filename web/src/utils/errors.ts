// 把任意异常转为给用户看的中文说明（不依赖 Element Plus，门户页面也可使用）。
import { ApiError, NETWORK_ERROR_MESSAGE } from '@/api/client'

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message
  if (e instanceof TypeError) return NETWORK_ERROR_MESSAGE
  return '操作失败，请稍后再试'
}
