// 登录用户的个人功能：站内通知、收藏、学习记录、使用评价。
import { http } from './client'
import type { Favourite, HistoryItem, Inbox, PendingRating, Ratings } from './schema'

export type { Favourite, HistoryItem, Inbox, Notification, PendingRating, Rating, Ratings } from './schema'

export type NotificationKind = 'returned' | 'rejected' | 'published' | 'queued' | 'deadline' | string

export const learnerApi = {
  notifications: (limit = 50) => http.get<Inbox>(`/me/notifications?limit=${limit}`),
  markRead: (id: number) => http.post<void>(`/me/notifications/${id}/read`),
  markAllRead: () => http.post<void>('/me/notifications/read-all'),
  favourites: () => http.get<{ items: Favourite[] }>('/me/favourites'),
  addFavourite: (id: number) => http.put<void>(`/me/favourites/${id}`),
  removeFavourite: (id: number) => http.delete<void>(`/me/favourites/${id}`),
  history: () => http.get<{ items: HistoryItem[] }>('/me/history'),
  saveHistory: (id: number, position_s: number) =>
    http.put<void>(`/me/history/${id}`, { position_s: Math.max(0, Math.floor(position_s)) }, { quiet401: true }),
  ratings: (id: number) => http.get<Ratings>(`/portal/resources/${id}/ratings`),
  rate: (id: number, score: number, comment: string) =>
    http.post<{ id: number; state: string; message: string }>(`/portal/resources/${id}/ratings`, { score, comment }),
  pendingRatings: () => http.get<{ items: PendingRating[] }>('/ratings/pending'),
  moderateRating: (id: number, decision: 'approve' | 'reject') =>
    http.post<{ id: number; state: string }>(`/ratings/${id}/moderate`, { decision }),
}
