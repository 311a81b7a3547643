// 管理后台与登录注册页使用 Element Plus；学习门户首页不加载它（保持首屏轻量）。
// 按需引入所用组件的样式（比整包 index.css 小得多）
import 'element-plus/es/components/button/style/css'
import 'element-plus/es/components/form/style/css'
import 'element-plus/es/components/form-item/style/css'
import 'element-plus/es/components/input/style/css'
import 'element-plus/es/components/select/style/css'
import 'element-plus/es/components/option/style/css'
import 'element-plus/es/components/dialog/style/css'
import 'element-plus/es/components/alert/style/css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import 'element-plus/es/components/radio/style/css'
import 'element-plus/es/components/radio-group/style/css'
import 'element-plus/es/components/container/style/css'
import 'element-plus/es/components/aside/style/css'
import 'element-plus/es/components/header/style/css'
import 'element-plus/es/components/main/style/css'
import 'element-plus/es/components/tag/style/css'
import 'element-plus/es/components/config-provider/style/css'
import 'element-plus/es/components/cascader/style/css'
import 'element-plus/es/components/pagination/style/css'
import 'element-plus/es/components/progress/style/css'
import 'element-plus/es/components/checkbox/style/css'
import '@/styles/element-theme.css'
import { ElMessage, ElMessageBox } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import { errorMessage } from '@/utils/errors'

export { zhCn, errorMessage }

/** 在对话框中显示错误（只显示中文 message，绝不显示原始 JSON） */
export function showErrorDialog(e: unknown, title = '操作未成功'): Promise<unknown> {
  return ElMessageBox.alert(errorMessage(e), title, {
    type: 'error',
    confirmButtonText: '知道了',
  }).catch(() => undefined)
}

/**
 * 确认对话框（警告样式）：确定 → true，取消或关闭 → false。
 * cancel 默认「取消」；danger 时确定按钮为红色（删除等不可恢复的操作）。
 */
export function confirmAction(
  message: string,
  title: string,
  confirm: string,
  opts: { cancel?: string; danger?: boolean } = {},
): Promise<boolean> {
  return ElMessageBox.confirm(message, title, {
    type: 'warning',
    confirmButtonText: confirm,
    cancelButtonText: opts.cancel ?? '取消',
    confirmButtonClass: opts.danger ? 'el-button--danger' : undefined,
  }).then(
    () => true,
    () => false,
  )
}

export function toastSuccess(message: string): void {
  ElMessage({ type: 'success', message, showClose: true, duration: 3000 })
}

export function toastError(e: unknown): void {
  ElMessage({ type: 'error', message: errorMessage(e), showClose: true, duration: 6000 })
}
