// 换页后把焦点移到页面标题（<main> 中的第一个 h1）：标题往往在数据加载后才出现，所以稍等它出现。
export function focusHeadingWhenShown(timeoutMs = 5000): void {
  const started = Date.now()
  const tick = () => {
    const h1 = document.querySelector<HTMLElement>('main h1')
    if (h1) {
      if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1')
      h1.focus({ preventScroll: false })
      return
    }
    if (Date.now() - started < timeoutMs) window.setTimeout(tick, 50)
  }
  window.setTimeout(tick, 0)
}
