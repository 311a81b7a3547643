import { defineStore } from 'pinia'
import { ref } from 'vue'
import { reviewApi } from '@/api'

/**
 * 审核员待处理的数量（初审中 / 终审中、且本人可以处理的资源），显示在导航「审核队列」旁。
 * 「已通过、待发布」的资源在发布批次页处理，不计入。
 */
export const useReviewQueueStore = defineStore('reviewQueue', () => {
  const count = ref<number | null>(null)

  async function refresh(): Promise<void> {
    try {
      const q = await reviewApi.queue()
      count.value = q.items.filter((i) => i.state === 'first_review' || i.state === 'final_review').length
    } catch {
      count.value = null
    }
  }

  return { count, refresh }
})
