export interface Domain {
  key: string
  name: string
  desc: string
  icon: string
}

/** 征集内容范围（资源所属领域），名称即 API 中 domain 字段的取值 */
export const DOMAINS: Domain[] = [
  { key: 'degree', name: '学历继续教育', desc: '高等学历继续教育课程，支撑在职人员提升学历、系统学习。', icon: '学' },
  { key: 'training', name: '非学历教育培训', desc: '职业技能、岗位培训与行业企业课程，服务技能提升与就业创业。', icon: '技' },
  { key: 'senior', name: '老年教育', desc: '健康养生、文化艺术、智能手机使用等，助力老年人乐享晚年。', icon: '乐' },
  { key: 'community', name: '社区教育', desc: '家庭教育、法治宣传、生活技能与社区文化，服务居民终身学习。', icon: '社' },
]
