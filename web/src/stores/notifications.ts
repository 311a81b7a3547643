import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { learnerApi, type Notification } from '@/api'

/** 通知的中文类别名 */
export const NOTIFICATION_KIND_LABELS: Record<string, string> = {
  returned: '退回修改',
  rejected: '不予通过',
  published: '已发布',
  queued: '待审核',
  deadline: '截止提醒',
}

export function kindLabel(kind: string): string {
  return NOTIFICATION_KIND_LABELS[kind] ?? '通知'
}

/** 通知对应的后台页面（无关联资源时为 null） */
export function notificationLink(n: Pick<Notification, 'kind' | 'resource_id'>): string | null {
  if (!n.resource_id) return null
  if (n.kind === 'published') return `/resources/${n.resource_id}`
  if (n.kind === 'queued') return `/console/review/${n.resource_id}`
  // 退回修改 / 不予通过：直接看编辑页上的审核意见
  if (n.kind === 'returned' || n.kind === 'rejected') return `/console/resources/${n.resource_id}#review-feedback`
  return `/console/resources/${n.resource_id}`
}

/** 站内通知：未读数显示在后台顶部的铃铛上 */
export const useNotificationsStore = defineStore('notifications', () => {
  const items = ref<Notification[]>([])
  const unread = ref(0)
  const loaded = ref(false)

  const hasUnread = computed(() => unread.value > 0)

  async function load(): Promise<void> {
    const inbox = await learnerApi.notifications()
    items.value = inbox.items
    unread.value = inbox.unread
    loaded.value = true
  }

  async function markRead(id: number): Promise<void> {
    const n = items.value.find((x) => x.id === id)
    await learnerApi.markRead(id)
    if (n && !n.read_at) {
      n.read_at = Date.now()
      unread.value = Math.max(0, unread.value - 1)
    }
  }

  async function markAllRead(): Promise<void> {
    await learnerApi.markAllRead()
    const now = Date.now()
    for (const n of items.value) if (!n.read_at) n.read_at = now
    unread.value = 0
  }

  function reset() {
    items.value = []
    unread.value = 0
    loaded.value = false
  }

  return { items, unread, loaded, hasUnread, load, markRead, markAllRead, reset }
})
