// 单元测试用的接口数据（类型即生成的 OpenAPI 类型：文档改了，这里跟着报错）。
import type { MediaInfo, Org, Resource, User } from '@/api'

export function org(over: Partial<Org> = {}): Org {
  return {
    id: 21,
    name: '广东省教育厅',
    kind: 'province_dept',
    kind_label: '省级教育行政部门',
    level: 1,
    parent_id: 1,
    child_kinds: ['provincial_college'],
    created_at: 0,
    ...over,
  }
}

export function principal(over: Partial<User> = {}): User {
  return {
    id: 5,
    username: 'gd_admin',
    display_name: 'gd_admin',
    role: 'unit_admin',
    role_label: '单位管理员',
    org_id: 21,
    org: org(),
    totp: { enabled: false, required: true, grace_until: null, enrolment_required: false },
    password_change_required: false,
    ...over,
  }
}

export function resource(over: Partial<Resource> = {}): Resource {
  return {
    id: 3,
    org_id: 1,
    title: '太极',
    type: 'A01',
    type_label: '视频资源',
    domain: '老年教育',
    platform: '',
    link: '',
    series: '',
    series_order: '',
    summary: '',
    duration: '',
    created_on: '',
    copyright_holder: '甲',
    presenters: [],
    clicks: 0,
    learners: 0,
    toc: '',
    keywords: [],
    category: '',
    state: 'draft',
    state_label: '草稿',
    version: 2,
    created_at: 0,
    updated_at: 0,
    cover: null,
    toc_tree: null,
    campaign_id: null,
    batch_id: null,
    ...over,
  }
}

export function media(over: Partial<MediaInfo> = {}): MediaInfo {
  return {
    resource_id: 5,
    filename: 'a.mp4',
    kind: 'video',
    size: 1024 * 1024,
    sha256: 'ab',
    playback_sha256: 'ab',
    remuxed: false,
    state: 'ready',
    passed: true,
    url: '/media/resources/5',
    created_at: 0,
    duplicates: null,
    probe: {
      container: 'mp4',
      video_codec: 'h264',
      audio_codec: 'aac',
      width: 1280,
      height: 720,
      frame_rate: 25,
      bit_rate: 3_000_000,
      duration_s: 6,
      sample_rate: 44100,
      bits_per_sample: 32,
      channels: 2,
      has_video: true,
      has_audio: true,
      moov_before_mdat: true,
      error: '',
    },
    report: [],
    ...over,
  }
}
