// 接口的数据类型：全部取自 docs/openapi.json 生成的 schema.gen.ts（npm run gen:api，typecheck 时自动生成），
// 不再手写第二份。这里只给常用的类型起短名字。
import type { components } from './schema.gen'

type S = components['schemas']

export type ErrorBody = S['Error']
export type FieldErrorInfo = S['FieldError']

// 单位与账号
export type Org = S['Org']
export type User = S['Principal']
export type Account = S['User']
export type TwoFactorStatus = S['TwoFactorStatus']
export type Session = S['Session']
export type OrgKindsResponse = S['OrgKinds']
export type OrgKindInfo = OrgKindsResponse['items'][number]
export type RoleInfo = OrgKindsResponse['roles'][number]
export type Contact = S['Contact']
export type ContactInfo = S['ContactInfo']
export type Credential = S['Credential']
export type TokenInfo = S['ActivationInfo']
export type RegistrationForm = S['RegistrationForm']
export type MissingContacts = S['MissingContacts']

// 资源
export type Cover = S['Cover']
export type Resource = S['Resource']
export type ResourceSummary = S['ResourceSummary']
export type ResourceInput = S['ResourceInput']
export type ResourcePage = S['ResourcePage']
export type Metadata = S['Metadata']
export type CategoryNode = S['CategoryNode']
export type Categories = S['Categories']
export type SeriesInfo = S['SeriesList']['items'][number]
export type MediaRule = S['MediaRule']
export type MediaInfo = S['Media']
export type LinkCheck = S['LinkCheck']
export type Lesson = S['Lesson']
export type LessonList = S['LessonList']
export type ImportRowError = S['ImportRowError']
export type BulkUnitsReport = S['BulkUnitsReport']
export type MediaMatchResult = S['MediaMatchResult']
export type ImportReport = S['ImportReport']
export type CoverUploaded = S['CoverUploaded']

// 门户
export type PortalResource = S['PortalResource']
export type PortalDetail = S['PortalDetail']
export type SeriesItem = NonNullable<PortalDetail['series_items']>[number]
export type TocNode = S['TocNode']
export type PortalHome = S['PortalHome']
export type SearchHit = S['SearchHit']
export type SearchResult = S['SearchResult']
export type CategoryCount = S['CategoryCount']

// 审核
export type ActionInfo = S['ActionInfo']
/** 四项核查（界面上四项都有明确的勾选状态） */
export type Checklist = Required<S['Checklist']>
export type QueueItem = S['QueueItem']
export type HistoryEntry = S['HistoryEntry']
export type ScreeningHit = S['Screening']['hits'][number]
export type Campaign = S['Campaign']
export type CampaignInput = S['CampaignInput']
export type UnitDeadline = S['UnitDeadline']
export type Batch = S['Batch']
export type BatchPreview = S['BatchPreview']
export type BatchItem = BatchPreview['items'][number]
export type BulkApproveResult = S['BulkApproveResult']
export type BulkReturnResult = S['BulkReturnResult']

// 安全
export type TotpSetup = S['TotpSetup']
export type RecoveryCodes = S['RecoveryCodes']
export type SecurityPolicy = S['SecurityPolicy']
export type AuditRecord = S['AuditRecord']
export type AuditPage = S['AuditPage']
export type AuditVerify = S['AuditVerify']

// 学习者
export type Notification = S['Notification']
export type Inbox = S['Inbox']
export type Favourite = S['Favourites']['items'][number]
export type HistoryItem = S['LearningHistory']['items'][number]
export type Rating = S['Rating']
export type PendingRating = S['PendingRating']
export type Ratings = S['Ratings']

// 统计
export type SubmissionRow = S['Submissions']['groups'][number]
export type UsageRow = S['Usage']['items'][number]
export type TopRow = S['TopList']['items'][number]
export type BrokenLink = S['BrokenLinks']['items'][number]
