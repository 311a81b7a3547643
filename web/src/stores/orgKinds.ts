import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api'
import type { OrgKindInfo, RoleInfo } from '@/api'

export const useOrgKindsStore = defineStore('orgKinds', () => {
  const kinds = ref<OrgKindInfo[]>([])
  const roles = ref<RoleInfo[]>([])
  let loading: Promise<void> | null = null

  function load(): Promise<void> {
    if (kinds.value.length) return Promise.resolve()
    if (!loading) {
      loading = api
        .orgKinds()
        .then((r) => {
          kinds.value = r.items
          roles.value = r.roles
        })
        .finally(() => {
          loading = null
        })
    }
    return loading
  }

  function kindLabel(kind: string): string {
    return kinds.value.find((k) => k.kind === kind)?.label ?? kind
  }
  function roleLabel(role: string): string {
    return roles.value.find((r) => r.role === role)?.label ?? role
  }

  return { kinds, roles, load, kindLabel, roleLabel }
})
