import { defineStore } from 'pinia'
import { ref } from 'vue'
import { reviewApi } from '@/api'

/**
 * 审核员待处理的数量（初审中 / 终审中、且本人可以处理的资源），显示在导航「审核队列」旁。
 * 「已通过、待发布」的资源在发布批次页处理，不计入。
 */
export const useReviewQueueStore = defineStore('reviewQueue', () => {
  const count = ref<number | null>(null)
  let last = 0

  /**
   * 重新计数。切换页面时调用（force=false）最多每 30 秒读一次队列——队列可能很长；
   * 审核操作之后 force=true 立即刷新。
   */
  async function refresh(force = true): Promise<void> {
    const now = Date.now()
    if (!force && count.value !== null && now - last < 30_000) return
    last = now
    try {
      fromQueue((await reviewApi.queue()).items)
    } catch {
      count.value = null
    }
  }

  /** 已经读到了完整的队列（审核队列页，无筛选）：顺便更新数量 */
  function fromQueue(items: readonly { state: string }[]): void {
    count.value = items.filter((i) => i.state === 'first_review' || i.state === 'final_review').length
    last = Date.now()
  }

  return { count, refresh, fromQueue }
})
