import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

export const LARGE_TEXT_KEY = 'lep.largeText'
export const LARGE_TEXT_CLASS = 'lep-large-text'

function readStored(): boolean {
  try {
    return localStorage.getItem(LARGE_TEXT_KEY) === '1'
  } catch {
    return false
  }
}

/** 把大字模式应用到 <html>（放大根字号，页面以 rem 排版随之放大） */
export function applyLargeText(on: boolean): void {
  document.documentElement.classList.toggle(LARGE_TEXT_CLASS, on)
}

/** 在挂载应用之前调用，避免页面先以小字渲染再跳变（CSP 不允许内联脚本） */
export function applyStoredPrefs(): void {
  applyLargeText(readStored())
}

export const usePrefsStore = defineStore('prefs', () => {
  const largeText = ref(readStored())
  watch(
    largeText,
    (on) => {
      applyLargeText(on)
      try {
        localStorage.setItem(LARGE_TEXT_KEY, on ? '1' : '0')
      } catch {
        /* 隐私模式下 localStorage 不可用：仅本页生效 */
      }
    },
    { immediate: true },
  )
  function toggleLargeText() {
    largeText.value = !largeText.value
  }
  return { largeText, toggleLargeText }
})
