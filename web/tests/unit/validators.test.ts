import { describe, expect, it } from 'vitest'
import { allFieldsShown, emailHint, landlineHint, mobileHint, passwordHint, safeRedirect } from '@/utils/validators'

describe('客户端格式提示与服务端规则一致', () => {
  it('手机号码：1 开头 11 位', () => {
    expect(mobileHint('13812345678')).toBeNull()
    expect(mobileHint('23812345678')).toMatch(/以 1 开头的 11 位数字/)
    expect(mobileHint('1381234567')).not.toBeNull()
    expect(mobileHint('')).toBe('请填写手机号码')
  })
  it('座机：区号-号码', () => {
    expect(landlineHint('010-66096459')).toBeNull()
    expect(landlineHint('0755-12345678')).toBeNull()
    expect(landlineHint('66096459')).toMatch(/010-66096459/)
    expect(landlineHint('13812345678')).not.toBeNull()
  })
  it('电子邮箱', () => {
    expect(emailHint('name@example.org')).toBeNull()
    expect(emailHint('name@example')).not.toBeNull()
    expect(emailHint('a b@example.org')).not.toBeNull()
  })
  it('密码：≥8 位、三类字符、不含用户名', () => {
    expect(passwordHint('Ab1!')).toBe('密码长度至少 8 位')
    expect(passwordHint('abcdefgh1')).toMatch(/至少三类/)
    expect(passwordHint('Upload@2024x', 'e2e_up')).toBeNull()
    expect(passwordHint('Zhangsan@1', 'zhangsan')).toBe('密码不能包含用户名')
  })
})

describe('safeRedirect 只接受站内路径', () => {
  it.each([
    ['/console/orgs/3', '/console/orgs/3'],
    ['//evil.example', null],
    ['https://evil.example', null],
    ['/\\evil', null],
    ['/login?redirect=/x', null],
    [undefined, null],
  ])('%s → %s', (input, want) => {
    expect(safeRedirect(input)).toBe(want)
  })
})

describe('allFieldsShown', () => {
  it('所有字段错误都能就地显示时为真', () => {
    expect(allFieldsShown([{ field: 'mobile' }], ['mobile', 'email'])).toBe(true)
    expect(allFieldsShown([{ field: 'org' }], ['mobile'])).toBe(false)
    expect(allFieldsShown([], ['mobile'])).toBe(false)
  })
})
