import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { createAppRouter } from './router'
import { onEnrolmentRequired, onUnauthorized } from './api'
import { useAuthStore } from './stores/auth'
import { applyStoredPrefs } from './stores/prefs'
import './styles/base.css'

applyStoredPrefs()

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
const router = createAppRouter()
app.use(router)

// 会话过期或未登录（401）：回到登录页，并记住原来的位置以便登录后返回。
onUnauthorized(() => {
  const auth = useAuthStore(pinia)
  auth.clear()
  const current = router.currentRoute.value
  if (current.name === 'login') return
  router.push({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
})

// 双因素认证宽限期已过（403 totp_enrolment_required）：只能先绑定动态验证码。
onEnrolmentRequired(() => {
  const auth = useAuthStore(pinia)
  auth.markEnrolmentRequired()
  if (router.currentRoute.value.name === 'totp') return
  router.push({ name: 'totp' })
})

app.mount('#app')
