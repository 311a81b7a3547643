import { http } from './client'
import type { Account, Contact, ContactInfo, Items, Org, OrgKindsResponse, RegistrationForm, SecondFactor, Session } from './types'

export * from './client'
export type * from './types'

export const api = {
  login: (username: string, password: string, second: SecondFactor = {}) =>
    http.post<Session>('/auth/login', { username, password, ...second }, { quiet401: true }),
  logout: () => http.post<void>('/auth/logout', undefined, { quiet401: true }),
  register: (body: { username: string; password: string; display_name?: string; email?: string; privacy_consent: boolean }) =>
    http.post<{ user: Account }>('/auth/register', body),
  /** 学习者忘记密码：无论账号是否存在，答复相同 */
  forgotPassword: (login: string) => http.post<{ message: string }>('/auth/password-reset', { login }),
  myEmail: () => http.get<{ email: string }>('/me/email'),
  saveMyEmail: (email: string) => http.put<{ email: string }>('/me/email', { email }),
  me: () => http.get<Session>('/me', { quiet401: true }),
  orgKinds: () => http.get<OrgKindsResponse>('/org-kinds'),
  orgs: () => http.get<Items<Org>>('/orgs'),
  org: (id: number) => http.get<Org>(`/orgs/${id}`),
  children: (id: number) => http.get<Items<Org>>(`/orgs/${id}/children`),
  createChild: (id: number, body: { name: string; kind: string }) => http.post<Org>(`/orgs/${id}/children`, body),
  contact: (id: number) => http.get<{ contact: ContactInfo | null }>(`/orgs/${id}/contact`),
  saveContact: (id: number, body: Contact) => http.put<{ contact: ContactInfo }>(`/orgs/${id}/contact`, body),
  contactsXlsx: (id: number) => http.download(`/orgs/${id}/contacts.xlsx`),
  /** 加盖公章的登记表扫描件（PDF）：当前一份与历次上传 */
  registrationForm: (id: number) =>
    http.get<{ current: RegistrationForm | null; history: RegistrationForm[] }>(`/orgs/${id}/registration-form`),
  uploadRegistrationForm: (id: number, file: File) =>
    http.post<{ form: RegistrationForm }>(`/orgs/${id}/registration-form?filename=${encodeURIComponent(file.name)}`, undefined, {
      raw: file,
      contentType: 'application/pdf',
    }),
  registrationFormFile: (url: string) => http.download(url.replace(/^\/api\/v1/, '')),
  childRegistrationForms: (id: number) =>
    http.get<{ items: { org: Org; form: RegistrationForm | null }[]; uploaded: number; total: number }>(`/orgs/${id}/registration-forms`),
  users: (id: number) => http.get<Items<Account>>(`/orgs/${id}/users`),
  createUser: (id: number, body: { username: string; password: string; role: string; display_name?: string }) =>
    http.post<{ user: Account }>(`/orgs/${id}/users`, body),
}

export * from './resources'
export * from './portal'
export * from './security'
export * from './stats'
export * from './learner'
export * from './accounts'
