#include "app/seed_showcase.h"


#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/date.h"
#include "crypto/crypto.h"
#include "portal/learner_service.h"
#include "resources/resource_service.h"
#include "video/child_process.h"

namespace lep::app {
namespace {

namespace fs = std::filesystem;
using resources::ResourceId;
using review::Action;

// What the showcase leaves each item as.
enum class Fate { kPublished, kFirstReview, kFinalReview, kApproved, kReturned, kDraft };

struct Item {
  const char* title;
  const char* type;  // A01 | A02
  const char* domain;
  const char* category;
  const char* series;
  const char* order;
  const char* presenters;
  const char* keywords;
  const char* summary;
  int64_t clicks, learners;
  Fate fate;
};

constexpr const char* kSuffix = "（演示）";

// Fictitious titles, people and figures; the text is written for the demo.
const Item kItems[] = {
    {"太极拳入门第一讲：起势与站桩", "A01", "老年教育", "健康养生-太极拳", "太极拳入门", "01",
     "陈演示", "太极拳;站桩;老年健身",
     "本讲从起势和站桩讲起，示范站立时双脚与肩同宽、膝盖微屈、含胸拔背的要领，讲解呼吸与动作"
     "配合的方法，并提醒膝关节不适的学员如何降低站姿高度。适合从未接触过太极拳的中老年学员，每天练习"
     "十五分钟即可感受到身体的放松。",
     36500, 23500, Fate::kPublished},
    {"太极拳入门第二讲：揽雀尾", "A01", "老年教育", "健康养生-太极拳", "太极拳入门", "02",
     "陈演示", "太极拳;揽雀尾",
     "揽雀尾是二十四式太极拳的核心动作，包含掤、捋、挤、按四个部分。本讲分解示范每个部分的手型、"
     "步法和重心转换，配合慢速跟练，帮助学员建立动作的连贯性，并讲解常见错误与纠正方法。",
     21800, 12400, Fate::kPublished},
    {"太极拳入门第三讲：单鞭与云手", "A01", "老年教育", "健康养生-太极拳", "太极拳入门", "03",
     "陈演示", "太极拳;云手;单鞭",
     "本讲示范单鞭与云手两个动作，重点讲解云手中腰部带动手臂的转动要领，以及侧行步时如何保持"
     "重心平稳。课后附有三分钟的整套跟练，适合在家中客厅练习。",
     9800, 5100, Fate::kFinalReview},
    {"智能手机入门：视频通话与家人团聚", "A01", "老年教育", "数字生活-智能手机应用",
     "银龄智能生活", "01", "林演示;周演示", "智能手机;视频通话;适老化",
     "手把手教老年朋友用智能手机与子女视频通话：如何打开通话软件、接听与挂断、切换前后摄像头、"
     "调大字体和音量。课程语速放慢，每一步都有特写画面，并提醒不要接听陌生号码的视频来电。",
     52300, 40100, Fate::kPublished},
    {"智能手机入门：识别电信网络诈骗", "A01", "老年教育", "数字生活-网络安全", "银龄智能生活",
     "02", "林演示", "防诈骗;网络安全;老年人",
     "结合几个虚构的案例，讲解冒充公检法、保健品推销、高息理财等常见骗局的特点，教老年朋友记住"
     "“不轻信、不转账、不透露验证码”三条原则，以及遇到可疑电话时如何向家人和社区求助。",
     47600, 35200, Fate::kPublished},
    {"智能手机入门：网上挂号与出行码", "A01", "老年教育", "数字生活-网上办事", "银龄智能生活",
     "03", "周演示", "网上挂号;网上办事",
     "演示在手机上预约挂号、查看检查报告和乘车扫码的完整步骤，讲解实名认证时需要准备的材料，以及"
     "操作失误后如何返回重来。",
     0, 0, Fate::kFirstReview},
    {"书法基础：永字八法", "A01", "社区教育", "文化艺术-书法", "社区书法课堂", "01", "王演示",
     "书法;楷书;永字八法",
     "以“永”字为例讲解楷书的八种基本笔画：点、横、竖、钩、提、撇、短撇、捺。每个笔画配有起笔、"
     "行笔、收笔的慢动作示范，并讲解执笔姿势与坐姿，适合社区书法兴趣班的初学者。",
     15400, 8700, Fate::kPublished},
    {"书法基础：结构与章法", "A01", "社区教育", "文化艺术-书法", "社区书法课堂", "02", "王演示",
     "书法;结构;章法",
     "讲解汉字结构的基本规律，如上紧下松、左窄右宽、重心平稳等，并以一幅小品作品为例说明落款与"
     "钤印的位置安排。",
     0, 0, Fate::kReturned},
    {"社区垃圾分类实用指南", "A01", "社区教育", "社区发展-社区治理", "", "", "赵演示",
     "垃圾分类;社区治理;环保",
     "用家里常见的物品做示范，讲清可回收物、有害垃圾、厨余垃圾和其他垃圾的区分方法，介绍社区"
     "定时定点投放的安排和志愿者督导的做法，并解答大件垃圾和装修垃圾如何处理。",
     12800, 9900, Fate::kPublished},
    {"邻里互助：社区志愿服务怎么做", "A02", "社区教育", "社区发展-志愿服务", "", "",
     "赵演示;孙演示", "志愿服务;邻里互助",
     "一期关于社区志愿服务的访谈音频：两位社区工作者讲述如何组织助老送餐、义务理发和儿童课后"
     "托管，分享招募志愿者、排班和保障安全的经验。",
     6700, 4300, Fate::kPublished},
    {"家庭急救常识：心肺复苏", "A01", "社区教育", "健康养生-疾病预防", "家庭急救常识", "01",
     "吴演示", "急救;心肺复苏;AED",
     "讲解判断意识与呼吸、拨打急救电话、胸外按压的位置、深度和频率，以及自动体外除颤器（AED）的"
     "使用步骤。课程使用模拟人示范，强调在专业人员到达前持续按压的重要性。",
     28900, 19700, Fate::kPublished},
    {"家庭急救常识：烫伤与扭伤的处理", "A01", "社区教育", "健康养生-疾病预防", "家庭急救常识",
     "02", "吴演示", "急救;烫伤;扭伤",
     "介绍烫伤后“冲、脱、泡、盖、送”的处理步骤和扭伤后冷敷、加压、抬高的方法，纠正涂抹牙膏、"
     "酱油等错误做法。",
     0, 0, Fate::kApproved},
    {"电子商务实务：网店商品拍摄", "A01", "非学历教育培训", "职业技能-电子商务", "电商实务",
     "01", "郑演示", "电子商务;商品拍摄;直播带货",
     "面向返乡创业青年和农户，讲解用手机拍出清晰商品照片的方法：自然光布置、背景选择、构图和"
     "简单修图，并以一箱苹果为例完成一组主图和详情图的拍摄。",
     18200, 11600, Fate::kPublished},
    {"电子商务实务：农产品直播的准备", "A01", "非学历教育培训", "职业技能-电子商务", "电商实务",
     "02", "郑演示", "直播;农产品;电子商务",
     "讲解农产品直播前的选品、定价、话术准备和设备调试，提醒主播如实介绍产地与规格，遵守广告法"
     "和食品安全的相关规定。",
     0, 0, Fate::kFirstReview},
    {"养老护理员培训：协助老人翻身与移位", "A01", "非学历教育培训", "职业技能-养老护理",
     "养老护理技能", "01", "冯演示", "养老护理;翻身;移位",
     "示范为卧床老人翻身、从床上移到轮椅的标准操作，讲解节力原则、防跌倒措施和皮肤观察要点，"
     "适合养老机构新入职护理员和家庭照护者学习。",
     14300, 9100, Fate::kPublished},
    {"家政服务：居家收纳整理", "A02", "非学历教育培训", "职业技能-家政服务", "", "", "冯演示",
     "家政;收纳;整理",
     "音频课程：讲解衣橱、厨房和儿童房的收纳思路，按使用频率分区、按类别归位，以及如何和雇主"
     "沟通整理方案。",
     5200, 3300, Fate::kPublished},
    {"智能制造基础：认识工业机器人", "A01", "非学历教育培训", "职业技能-智能制造", "", "",
     "褚演示", "工业机器人;智能制造",
     "介绍工业机器人的组成、坐标系和常见应用，结合生产线画面讲解示教编程的基本流程和安全"
     "操作规范。",
     0, 0, Fate::kDraft},
    {"大学语文：唐诗中的山水", "A01", "学历继续教育", "学历教育-文学", "大学语文", "01",
     "卫演示", "唐诗;山水诗;大学语文",
     "以王维、孟浩然、李白的几首山水诗为例，讲解意象、意境和诗中画的艺术特点，并介绍山水田园"
     "诗派的形成与影响。课后附有朗读练习和思考题。",
     24600, 15800, Fate::kPublished},
    {"大学语文：宋词的婉约与豪放", "A02", "学历继续教育", "学历教育-文学", "大学语文", "02",
     "卫演示", "宋词;婉约;豪放",
     "音频课程：比较柳永、李清照与苏轼、辛弃疾的代表作，讲解婉约与豪放两种风格在题材、语言和"
     "音律上的不同。",
     11900, 7400, Fate::kPublished},
    {"管理学原理：计划与决策", "A01", "学历继续教育", "学历教育-管理学", "管理学原理", "01",
     "蒋演示", "管理学;计划;决策",
     "讲解计划的类型与编制步骤、目标管理的方法，以及确定型、风险型和不确定型决策的常用工具，"
     "结合一家虚构小企业的案例进行分析。",
     13100, 8800, Fate::kPublished},
    {"管理学原理：组织结构设计", "A01", "学历继续教育", "学历教育-管理学", "管理学原理", "02",
     "蒋演示", "管理学;组织结构",
     "介绍直线制、职能制、事业部制和矩阵制等组织结构的特点与适用条件，讨论管理幅度与管理层次"
     "的关系。",
     0, 0, Fate::kFinalReview},
    {"经济学基础：供给与需求", "A02", "学历继续教育", "学历教育-经济学", "", "", "沈演示",
     "经济学;供给;需求",
     "音频课程：用菜市场的价格变化讲解需求曲线、供给曲线和均衡价格，以及政府限价可能带来的"
     "短缺与过剩。",
     8400, 5600, Fate::kPublished},
};

const char* kToc =
    "<toc><chapter title=\"第一部分 导入\"><section>学习目标</section><section>要点讲解"
    "</section></chapter><chapter title=\"第二部分 练习\"><section>跟练与小结</section></chapter>"
    "</toc>";

// The configured ffmpeg as a bounded child (the video module's runner); fails with its stderr.
Status RunFfmpeg(const std::string& ffmpeg, std::vector<std::string> args) {
  args.insert(args.begin(), {ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"});
  LEP_ASSIGN_OR_RETURN(auto run, video::RunChild(args, video::ChildLimits{}, {}));
  if (!run.ok()) return Fail(Error::Internal("ffmpeg 生成演示音视频失败：" + run.stderr_tail));
  return Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::Internal("无法读取 " + path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// 附件1-conforming demo media (as tests/fixtures/media/make_media.sh makes them): H.264 720p
// 25 fps at ~3 Mbit/s with AAC stereo, moov first; MP3 44.1 kHz stereo.
Status MakeMedia(const std::string& ffmpeg, const std::string& dir) {
  const std::string rate = "3M";
  LEP_RETURN_IF_ERROR(RunFfmpeg(
      ffmpeg, {"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i",
       "sine=frequency=330:sample_rate=48000", "-t", "6", "-c:v", "libx264", "-preset",
       "ultrafast", "-pix_fmt", "yuv420p", "-b:v", rate, "-minrate", rate, "-maxrate", rate,
       "-bufsize", rate, "-x264-params", "nal-hrd=cbr", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
       "-ar", "48000", "-movflags", "+faststart", dir + "/lesson.mp4"}));
  LEP_RETURN_IF_ERROR(RunFfmpeg(ffmpeg, {"-f", "lavfi", "-i", "sine=frequency=262:sample_rate=44100",
                                 "-t", "8", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k",
                                 dir + "/lesson.mp3"}));
  // Eight covers in different colours and patterns (16:9, JPEG).
  const char* sources[] = {"testsrc2", "smptehdbars", "rgbtestsrc", "mandelbrot",
                           "cellauto=rule=110", "life=mold=10:ratio=0.3", "testsrc",
                           "gradients=seed=7"};
  for (int i = 0; i < 8; ++i) {
    std::string src = std::string(sources[i]);
    src += src.find('=') == std::string::npos ? "=size=960x540" : ":size=960x540";
    LEP_RETURN_IF_ERROR(RunFfmpeg(ffmpeg, {"-f", "lavfi", "-i", src, "-frames:v", "1", "-q:v", "4",
                                   dir + "/cover" + std::to_string(i) + ".jpg"}));
  }
  return Ok();
}

Result<auth::Principal> Demo(AppContext& ctx, const std::string& username) {
  LEP_ASSIGN_OR_RETURN(auto user, ctx.user_repo->GetByUsername(username));
  if (!user) return Fail(Error::NotFound("演示账号不存在：" + username));
  auth::Principal p;
  p.user_id = user->id;
  p.username = user->username;
  p.display_name = user->display_name;
  p.role = user->role;
  p.ip = "127.0.0.1";
  if (user->org_id) {
    LEP_ASSIGN_OR_RETURN(p.org, ctx.org_repo->Get(*user->org_id));
  }
  return p;
}

// The campaign the demo submits into: open now, deadlines ahead (Asia/Shanghai dates).
Result<review::Campaign> EnsureCampaign(AppContext& ctx, const auth::Principal& admin) {
  LEP_ASSIGN_OR_RETURN(auto latest, ctx.review->LatestCampaign());
  if (latest) return *latest;
  int64_t now = ctx.clock->NowMs();
  auto day = [&](int d) { return DateFromUnixMs(now + int64_t{d} * 86'400'000, 8).ToString(); };
  review::Campaign c;
  c.name = std::to_string(DateFromUnixMs(now, 8).year) + "年终身教育数字化学习资源征集（演示）";
  c.year = DateFromUnixMs(now, 8).year;
  c.description = "演示用征集批次：各单位提交、省级初审、国家开放大学终审并分批发布。";
  c.contact_deadline = day(10);
  c.submission_deadline = day(30);
  c.first_review_deadline = day(40);
  c.final_review_deadline = day(50);
  return ctx.review->SaveCampaign(admin, c);
}

review::ReviewRequest Step(Action a, int64_t version, const std::string& comment = "") {
  review::ReviewRequest r;
  r.action = a;
  r.expected_version = version;
  r.comment = comment;
  r.attestation = a == Action::kSubmit;
  if (a == Action::kApprove || a == Action::kReturn) {
    r.checklist = {true, true, true, true};
  }
  return r;
}

}  // namespace

Result<ShowcaseReport> SeedShowcase(AppContext& ctx, const std::string& work_dir) {
  ShowcaseReport report;
  LEP_ASSIGN_OR_RETURN(auto uploader, Demo(ctx, "gd_uploader"));
  LEP_ASSIGN_OR_RETURN(auto province, Demo(ctx, "gd_reviewer"));
  LEP_ASSIGN_OR_RETURN(auto national, Demo(ctx, "nou_reviewer"));
  LEP_ASSIGN_OR_RETURN(auto admin, Demo(ctx, "nou_admin"));
  resources::ResourceFilter mine;
  mine.page_size = 1;
  LEP_ASSIGN_OR_RETURN(auto existing, ctx.resources->List(uploader, mine, std::nullopt));
  if (existing.total > 0) return report;  // seeded before (or the demo unit is in use)

  std::error_code ec;
  fs::create_directories(work_dir, ec);
  if (ec) return Fail(Error::Internal("无法创建目录 " + work_dir));
  LEP_RETURN_IF_ERROR(MakeMedia(ctx.config.video_ffmpeg, work_dir));
  LEP_ASSIGN_OR_RETURN(auto campaign, EnsureCampaign(ctx, admin));

  // Metadata through the import rules, as a unit's spreadsheet would bring them.
  resources::SheetData sheet;
  sheet.header = {"资源名称", "资源类型", "征集内容范围", "所属分类", "所属系列", "所属顺序",
                  "主讲人", "关键词", "资源简介", "版权方", "点击量", "学习人数", "资源目录",
                  "创建时间"};
  std::string created_on = DateFromUnixMs(ctx.clock->NowMs() - 90 * 86'400'000LL, 8).ToString();
  int row = 2;
  for (const Item& it : kItems) {
    sheet.rows.push_back({std::string(it.title) + kSuffix, it.type, it.domain, it.category,
                          it.series, it.order, it.presenters, it.keywords, it.summary,
                          "岭南示范职业技术学院（演示）", std::to_string(it.clicks),
                          std::to_string(it.learners), it.type == std::string("A01") ? kToc : "",
                          created_on});
    sheet.row_numbers.push_back(row++);
  }
  LEP_ASSIGN_OR_RETURN(auto imported, ctx.resources->Import(uploader, std::nullopt, sheet, false));
  if (!imported.errors.empty()) {
    const auto& e = imported.errors.front();
    return Fail(Error::Internal("演示数据第 " + std::to_string(e.row) + " 行 " + e.label + "：" +
                                e.message));
  }

  // Files: each resource gets a cover and its media as a finished upload would bring them.
  LEP_ASSIGN_OR_RETURN(std::string video_sha, crypto::Sha256FileHex(work_dir + "/lesson.mp4"));
  LEP_ASSIGN_OR_RETURN(std::string audio_sha, crypto::Sha256FileHex(work_dir + "/lesson.mp3"));
  std::vector<int64_t> to_publish;
  for (size_t i = 0; i < imported.created.size(); ++i) {
    const Item& it = kItems[i];
    ResourceId id = imported.created[i];
    LEP_ASSIGN_OR_RETURN(std::string jpeg,
                         ReadFile(work_dir + "/cover" + std::to_string(i % 8) + ".jpg"));
    LEP_RETURN_IF_ERROR(ctx.ingest->StoreCover(uploader, id, jpeg, uploader.ip));
    bool audio = std::string(it.type) == "A02";
    std::string src = work_dir + (audio ? "/lesson.mp3" : "/lesson.mp4");
    std::string copy = work_dir + "/upload-" + std::to_string(id.value);
    fs::copy_file(src, copy, fs::copy_options::overwrite_existing, ec);
    if (ec) return Fail(Error::Internal("无法复制演示文件：" + ec.message()));
    uploads::Upload u;
    u.resource_id = id.value;
    u.org_id = uploader.org->id.value;
    u.user_id = uploader.user_id.value;
    u.kind = "media";
    u.filename = std::string(it.title) + (audio ? ".mp3" : ".mp4");
    u.length = fs::file_size(copy, ec);
    u.offset = u.length;
    u.sha256 = audio ? audio_sha : video_sha;
    LEP_RETURN_IF_ERROR(ctx.ingest->OnUploadComplete(u, copy));

    if (it.fate == Fate::kDraft) {
      ++report.waiting;
      continue;
    }
    LEP_ASSIGN_OR_RETURN(auto r, ctx.resources->Get(uploader, id));
    review::ReviewRequest submit = Step(Action::kSubmit, r.version);
    submit.campaign_id = campaign.id;
    LEP_ASSIGN_OR_RETURN(r, ctx.review->Act(uploader, id, submit));
    if (it.fate == Fate::kFirstReview) {
      ++report.waiting;
      continue;
    }
    if (it.fate == Fate::kReturned) {
      LEP_ASSIGN_OR_RETURN(
          r, ctx.review->Act(province, id,
                             Step(Action::kReturn, r.version,
                                  "示范意见：第二节画面偏暗，请补充结构示意图后重新提交。")));
      ++report.waiting;
      continue;
    }
    LEP_ASSIGN_OR_RETURN(r, ctx.review->Act(province, id, Step(Action::kApprove, r.version)));
    if (it.fate == Fate::kFinalReview) {
      ++report.waiting;
      continue;
    }
    LEP_ASSIGN_OR_RETURN(r, ctx.review->Act(national, id, Step(Action::kApprove, r.version)));
    if (it.fate == Fate::kApproved) {
      ++report.waiting;
      continue;
    }
    to_publish.push_back(id.value);
  }
  if (!to_publish.empty()) {
    LEP_ASSIGN_OR_RETURN(auto batch, ctx.review->CreateBatch(admin, "第1批（演示）", to_publish));
    LEP_RETURN_IF_ERROR(ctx.review->PublishBatch(admin, batch.id));
    report.published = static_cast<int>(to_publish.size());
    // 使用评价 by the demo learner: three shown after moderation, one waiting for it.
    LEP_ASSIGN_OR_RETURN(auto learner, Demo(ctx, "demo_learner"));
    const char* comments[] = {"讲得很细，跟着练了一周，膝盖不疼了。", "字幕清楚，适合我们老年人。",
                              "案例很实用，已经转给家里老人看了。", "希望多出几集。"};
    for (size_t i = 0; i < to_publish.size() && i < 4; ++i) {
      LEP_ASSIGN_OR_RETURN(int64_t rating,
                           ctx.learners->Rate(learner, ResourceId{to_publish[i]},
                                              {i == 3 ? 4 : 5, comments[i]}));
      if (i < 3) {
        LEP_RETURN_IF_ERROR(ctx.learners->Moderate(admin, rating, true));
      } else {
        ++report.waiting;  // in the unit admin's moderation queue
      }
    }
  }
  fs::remove_all(work_dir, ec);
  return report;
}

}  // namespace lep::app
