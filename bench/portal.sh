#!/usr/bin/env bash
# Portal benchmark: wrk against the public resource detail and the Chinese full-text search
# with N published resources, beside Debian nginx serving a static JSON file of the same size
# as a typical detail response, in the same run. Prints a markdown section per N.
#
# Filling (fast and honest): `lep seed-demo`; a generated UTF-8 CSV of N valid rows with varied
# Chinese titles, summaries, presenters, keywords and categories, imported with
# `lep import FILE --unit <demo college>` while the server is stopped; the imported rows are
# then marked published directly in SQLite (the review workflow is not what is measured), and
# `lep reindex` rebuilds the Xapian index; then `lep serve`.
#
# Detail requests pick a random published id and a random visitor cookie (lep_vid, from a pool
# of 10 000). The detail GET is cacheable and counts nothing (the page counts its click with a
# separate POST …/view), so the click figure below must stay 0: a rise would mean the GET
# counts again and could not be cached.
#   BENCH_PORTAL_NS       resource counts to measure (default "10000 100000")
#   BENCH_PORTAL_SECS     wrk duration per run (default 15)
#   BENCH_PORTAL_BUDGET   seconds for the whole script (default 480); an import or reindex that
#                         would leave too little for the measurements is stopped and the N is
#                         reported as not measured, with the reason
#   BENCH_PORTAL_DRAIN    at most this many seconds to wait after the detail run for lep's
#                         click flusher to go idle before nginx is measured (default 20)
#   BENCH_WRK_ARGS        wrk threads/connections (default "-t2 -c32")
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap bench_cleanup EXIT
need curl python3 nginx wrk
[[ "$BENCH_DB" == pg ]] && need psql || need sqlite3

NS="${BENCH_PORTAL_NS:-10000 100000}"
SECS="${BENCH_PORTAL_SECS:-15}"
BUDGET="${BENCH_PORTAL_BUDGET:-480}"
read -r -a WRK_ARGS <<<"${BENCH_WRK_ARGS:--t2 -c32}"
T0=$(date +%s)
elapsed() { echo $(($(date +%s) - T0)); }
export LEP_ARGON2_MEMLIMIT=8192 LEP_ARGON2_OPSLIMIT=1
[[ -x "$LEP_BIN" ]] || die "找不到 $LEP_BIN（先构建 Release）"

# ---------------------------------------------------------------------------------------------
# The CSV generator: N rows of fictitious but realistic resources across the category tree.
cat >"$WORK/gen.py" <<'PY'
import csv, random, sys
path, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(20221123)
# (category path, domains it suits, subjects, keywords)
CATS = [
  ("健康养生-太极拳", ["老年教育", "社区教育"],
   ["二十四式太极拳", "杨式太极拳", "太极拳基本功", "太极推手", "陈式太极拳", "太极扇", "太极剑"],
   ["太极拳", "太极", "健身", "武术", "养生", "站桩"]),
  ("健康养生-中医养生", ["老年教育", "社区教育", "非学历教育培训"],
   ["四季中医养生", "经络穴位按摩", "八段锦", "药膳食疗", "五禽戏", "中医体质辨识"],
   ["中医", "养生", "穴位", "八段锦", "食疗", "保健"]),
  ("健康养生-营养膳食", ["老年教育", "社区教育"],
   ["老年人膳食搭配", "控糖饮食", "低盐健康饮食", "家庭营养早餐", "骨质疏松的饮食调理"],
   ["营养", "膳食", "健康饮食", "控糖", "高血压"]),
  ("健康养生-心理健康", ["社区教育", "老年教育", "非学历教育培训"],
   ["老年心理调适", "情绪管理", "睡眠与心理健康", "退休生活适应", "积极老龄化"],
   ["心理健康", "情绪", "失眠", "退休", "心理调适"]),
  ("健康养生-疾病预防", ["老年教育", "社区教育"],
   ["高血压的家庭管理", "糖尿病预防", "阿尔茨海默病早期识别", "防跌倒训练", "冬季呼吸道疾病预防"],
   ["慢病管理", "高血压", "糖尿病", "防跌倒", "预防"]),
  ("科学文化-航空知识-航空发动机", ["社区教育", "非学历教育培训"],
   ["航空发动机原理", "涡扇发动机结构", "燃气涡轮入门", "压气机与燃烧室", "发动机维护常识"],
   ["航空", "发动机", "涡扇", "科普", "燃气涡轮"]),
  ("科学文化-航空知识-飞行原理", ["社区教育", "非学历教育培训"],
   ["飞机为什么能飞", "升力与伯努利原理", "直升机飞行原理", "无人机飞行入门"],
   ["飞行原理", "升力", "无人机", "航空", "科普"]),
  ("科学文化-航空知识-航空史话", ["社区教育", "老年教育"],
   ["中国航空百年", "冯如与中国第一架飞机", "大飞机的故事", "民航发展史"],
   ["航空史", "大飞机", "民航", "冯如"]),
  ("科学文化-天文地理", ["社区教育", "学历继续教育"],
   ["二十四节气与天文", "认识星座", "中国地理概览", "气象与生活"],
   ["节气", "天文", "地理", "星座", "气象"]),
  ("科学文化-历史人文", ["社区教育", "老年教育", "学历继续教育"],
   ["宋代市井生活", "丝绸之路的故事", "岭南文化漫谈", "古代科技发明", "运河与城市"],
   ["历史", "文化", "丝绸之路", "岭南", "宋朝"]),
  ("文化艺术-书法", ["老年教育", "社区教育"],
   ["楷书入门", "颜体楷书临摹", "行书技法", "毛笔书法基础", "隶书曹全碑"],
   ["书法", "楷书", "行书", "毛笔", "临帖"]),
  ("文化艺术-绘画", ["老年教育", "社区教育"],
   ["国画花鸟", "写意山水", "水彩风景速写", "素描基础", "工笔牡丹"],
   ["国画", "绘画", "山水画", "花鸟", "水彩"]),
  ("文化艺术-音乐", ["老年教育", "社区教育"],
   ["葫芦丝演奏", "合唱发声训练", "二胡基础", "古筝入门", "识谱与视唱"],
   ["音乐", "葫芦丝", "二胡", "合唱", "古筝"]),
  ("文化艺术-舞蹈", ["老年教育", "社区教育"],
   ["广场舞基础步伐", "民族舞蹈欣赏", "健身操", "交谊舞入门"],
   ["广场舞", "舞蹈", "健身操", "交谊舞"]),
  ("文化艺术-摄影", ["老年教育", "社区教育", "非学历教育培训"],
   ["手机摄影构图", "人像摄影用光", "风光摄影", "照片后期修图"],
   ["摄影", "手机摄影", "构图", "修图"]),
  ("文化艺术-戏曲", ["老年教育", "社区教育"],
   ["粤剧唱腔欣赏", "京剧入门", "越剧经典唱段", "黄梅戏赏析"],
   ["戏曲", "粤剧", "京剧", "越剧", "黄梅戏"]),
  ("文化艺术-诗词", ["老年教育", "社区教育", "学历继续教育"],
   ["唐诗鉴赏", "宋词名篇赏析", "格律诗写作", "诗经选读"],
   ["诗词", "唐诗", "宋词", "古诗", "格律"]),
  ("数字生活-智能手机应用", ["老年教育", "社区教育"],
   ["智能手机入门", "微信视频通话", "手机拍照与分享", "用手机挂号就医", "手机地图导航"],
   ["智能手机", "手机", "微信", "数字生活", "老年人"]),
  ("数字生活-网络安全", ["老年教育", "社区教育", "非学历教育培训"],
   ["识别电信诈骗", "防范网络谣言", "个人信息保护", "反诈骗案例解析"],
   ["反诈", "诈骗", "网络安全", "个人信息", "防骗"]),
  ("数字生活-移动支付", ["老年教育", "社区教育"],
   ["移动支付入门", "扫码支付安全", "手机银行使用"],
   ["移动支付", "扫码", "手机银行", "支付安全"]),
  ("数字生活-网上办事", ["社区教育", "老年教育"],
   ["网上办理社保", "医保电子凭证", "政务服务网上办"],
   ["社保", "医保", "网上办事", "政务服务"]),
  ("职业技能-信息技术", ["非学历教育培训", "学历继续教育"],
   ["Python 编程基础", "办公软件应用", "数据分析入门", "计算机网络基础", "人工智能通识"],
   ["编程", "Python", "办公软件", "人工智能", "数据分析"]),
  ("职业技能-电子商务", ["非学历教育培训", "学历继续教育"],
   ["直播带货实务", "网店运营", "农产品电商", "短视频营销"],
   ["电商", "直播", "网店", "短视频"]),
  ("职业技能-养老护理", ["非学历教育培训", "社区教育"],
   ["失能老人照护", "养老护理员实务", "居家康复护理", "老年人急救常识"],
   ["养老护理", "护理", "照护", "急救", "康复"]),
  ("职业技能-现代农业", ["非学历教育培训", "社区教育"],
   ["设施蔬菜栽培", "果树修剪技术", "稻田综合种养", "农产品品牌建设"],
   ["农业", "种植", "果树", "蔬菜", "乡村振兴"]),
  ("职业技能-家政服务", ["非学历教育培训"],
   ["家政服务礼仪", "母婴护理", "收纳整理"],
   ["家政", "母婴", "收纳"]),
  ("家庭教育-亲子沟通", ["社区教育", "非学历教育培训"],
   ["亲子沟通技巧", "青春期孩子的沟通", "培养阅读习惯"],
   ["家庭教育", "亲子", "沟通", "阅读"]),
  ("家庭教育-隔代教育", ["老年教育", "社区教育"],
   ["祖辈带娃的智慧", "隔代教养常见误区", "和孙辈一起学习"],
   ["隔代教育", "祖辈", "带娃"]),
  ("文明素养-法律常识", ["社区教育", "老年教育", "学历继续教育"],
   ["民法典与老年人权益", "遗嘱与继承", "消费者权益保护", "劳动合同常识"],
   ["法律", "民法典", "继承", "权益保护"]),
  ("学历教育-管理学", ["学历继续教育"],
   ["管理学原理", "人力资源管理", "市场营销学", "项目管理"],
   ["管理学", "人力资源", "营销", "项目管理"]),
  ("学历教育-公共基础课", ["学历继续教育"],
   ["大学英语", "高等数学", "计算机应用基础", "思想道德与法治"],
   ["英语", "数学", "计算机", "基础课"]),
  ("休闲娱乐-园艺", ["老年教育", "社区教育"],
   ["阳台种菜", "多肉植物养护", "盆景制作", "兰花栽培"],
   ["园艺", "种菜", "多肉", "盆景", "养花"]),
  ("休闲娱乐-烹饪", ["老年教育", "社区教育"],
   ["家常粤菜", "面点制作", "老火靓汤", "健康烘焙"],
   ["烹饪", "粤菜", "面点", "煲汤", "烘焙"]),
  ("休闲娱乐-旅游", ["老年教育", "社区教育"],
   ["老年人出游安全", "红色旅游线路", "古镇游览"],
   ["旅游", "古镇", "红色旅游"]),
]
SUFFIX = ["入门", "基础教程", "精讲", "实用技巧", "常见问题解答", "进阶", "十讲", "示范与讲解",
          "答疑", "要点", "课堂实录", "微课"]
PREFIX = ["", "", "", "零基础学", "社区课堂：", "老年大学：", "居家学", "一起学"]
LEVEL = ["（初级）", "（中级）", "（高级）", "", "", ""]
SUR = list("王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕丁沈")
GIV = ["建国", "秀英", "桂芳", "志强", "海燕", "晓明", "丽华", "文军", "淑珍", "国庆", "红梅",
       "伟", "静", "敏", "磊", "洁", "勇", "艳", "军", "杰", "娟", "涛", "明", "超", "霞", "平"]
UNITS = ["岭南演示社区学院", "京华演示老年大学", "江南演示开放大学", "蜀中演示社区大学",
         "齐鲁演示职业学院", "燕赵演示老年大学", "闽江演示社区学院", "湘楚演示开放大学",
         "塞北演示城市学院", "天山演示老年大学"]
SENT = ["本课程面向{who}，以通俗易懂的方式讲解{s}的{what}。",
        "主讲人结合多年教学经验，示范{s}的{what}，并解答学员的常见问题。",
        "通过{k1}与{k2}两条线索，帮助学习者理解{s}。",
        "课程共分若干小节，每节约十五分钟，适合在家跟练。",
        "内容包括{k1}的基本知识、{k2}的实践要点以及安全注意事项。",
        "学完本课，学习者能够独立完成{s}的{what}。"]
WHO = ["老年学习者", "社区居民", "初学者", "在职人员", "退休职工", "家长"]
WHAT = ["基本要领", "核心方法", "常见误区", "实践技巧", "历史渊源", "动作要点"]
hdr = ["资源名称", "资源类型", "征集内容范围", "资源简介", "版权方", "主讲人", "所属分类", "关键词"]
with open(path, "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(hdr)
    for i in range(1, n + 1):
        cat, domains, subjects, kws = rnd.choice(CATS)
        s = rnd.choice(subjects)
        title = f"{rnd.choice(PREFIX)}{s}{rnd.choice(SUFFIX)}{rnd.choice(LEVEL)}"
        if rnd.random() < 0.5:
            title += f" 第{rnd.randint(1, 40)}讲"
        k = rnd.sample(kws, min(len(kws), rnd.randint(2, 4)))
        summary = "".join(t.format(who=rnd.choice(WHO), s=s, what=rnd.choice(WHAT),
                                   k1=k[0], k2=k[-1])
                          for t in rnd.sample(SENT, 3))
        presenters = ";".join(rnd.choice(SUR) + rnd.choice(GIV)
                              for _ in range(rnd.choice([1, 1, 1, 2])))
        w.writerow([title[:60], rnd.choice(["A01", "A01", "A01", "A02"]), rnd.choice(domains),
                    summary, rnd.choice(UNITS), presenters, cat, ";".join(k)])
PY

# Search queries: 2-character words, phrases, a Traditional form, a presenter, a category word.
QUERIES=(太极 养生 书法 手机 航空 反诈 摄影 戏曲 太极拳 八段锦 航空发动机 智能手机入门
  二十四式太极拳 老年人膳食搭配 唐诗鉴赏 養生 書法 王建国 亲子沟通技巧 阳台种菜)
python3 - "$WORK/search.lua" "${QUERIES[@]}" <<'PY'
import sys, urllib.parse
out, qs = sys.argv[1], sys.argv[2:]
paths = ",\n  ".join('"/api/v1/portal/search?q=%s"' % urllib.parse.quote(q, safe="") for q in qs)
open(out, "w").write("""-- Cycles through %d Chinese queries (URL-encoded), each thread from its own offset.
local paths = {
  %s
}
local i = 0
function setup(thread) thread:set("off", math.random(1, #paths)) end
function init(args) i = (off or 1) end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
""" % (len(qs), paths))
PY

cat >"$WORK/detail.lua" <<'LUA'
-- A random published id (from IDS_FILE) and a random visitor cookie from a pool of 10 000, so
-- every request is a (resource, visitor) pair the caches have rarely seen.
local ids = {}
function setup(thread) thread:set("seed", math.random(1, 1e9)) end
function init(args)
  math.randomseed(os.time() + (seed or 0))
  for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
end
local visitors = {}
for v = 1, 10000 do visitors[v] = string.format("bench%027d", v) end  -- 32 characters
function request()
  local id = ids[math.random(1, #ids)]
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Cookie"] = "lep_vid=" .. visitors[math.random(1, #visitors)]
  return wrk.format("GET", "/api/v1/portal/resources/" .. id, h)
end
LUA

cat >"$WORK/static.lua" <<'LUA'
-- nginx: the same request shape as the detail script (a path per request, a cookie).
function request()
  return wrk.format("GET", "/api/v1/portal/resources/detail.json",
                    {["Cookie"] = "lep_vid=0123456789abcdef0123456789abcdef"})
end
LUA

# ---------------------------------------------------------------------------------------------
serve_lep() {  # DATA → LEP_BASE, LEP_PID, LEP_DATA
  LEP_DATA="$1"
  "$LEP_BIN" serve --data "$1" --listen 127.0.0.1:0 >"$WORK/lep.out" 2>"$WORK/lep.log" &
  LEP_PID=$!
  LEP_BASE=""
  for _ in $(seq 1 300); do
    LEP_BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/lep.out" 2>/dev/null | head -1 || true)"
    [[ -n "$LEP_BASE" ]] && break
    kill -0 "$LEP_PID" 2>/dev/null || { cat "$WORK/lep.log" >&2; die "lep did not start"; }
    sleep 0.2
  done
  [[ -n "$LEP_BASE" ]] || die "lep did not print its URL"
  curl -sf "$LEP_BASE/healthz" >/dev/null || die "$LEP_BASE/healthz failed"
}
stop_lep() {
  [[ -n "$LEP_PID" ]] || return 0
  kill -TERM "$LEP_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$LEP_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$LEP_PID" 2>/dev/null || true
  wait "$LEP_PID" 2>/dev/null || true
  LEP_PID=""
}

run_wrk() {  # name script url [env…]
  local name="$1" script="$2" url="$3"
  shift 3
  say "portal: wrk ${WRK_ARGS[*]} -d${SECS}s $name"
  env "$@" timeout $((SECS + 30)) wrk "${WRK_ARGS[@]}" -d"${SECS}s" --timeout 5s --latency \
    -s "$script" "$url" >"$WORK/wrk.$name.txt" 2>&1 || { cat "$WORK/wrk.$name.txt" >&2; die "wrk $name failed"; }
  cat "$WORK/wrk.$name.txt" >&2
}
parse() {  # file → "req/s|p50|p99|p99_ms|bad"
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r'Requests/sec:\s*([\d.]+)', t).group(1))
def lat(p):
    m = re.search(r'^\s*' + p + r'%\s+([\d.]+)(\w+)', t, re.M)
    return (m.group(1), m.group(2)) if m else ('?', '')
def ms(v, u):
    return float(v) * {'us': 1e-3, 'ms': 1.0, 's': 1e3, 'm': 6e4}.get(u, float('nan'))
p50, p99 = lat('50'), lat('99')
non = re.search(r'Non-2xx or 3xx responses:\s*(\d+)', t)
sock = re.search(r'Socket errors: (.*)', t)
print(f"{rps:.1f}|{p50[0]} {p50[1]}|{p99[0]} {p99[1]}|{ms(*p99):.2f}|"
      f"{non.group(1) if non else 0}{' / ' + sock.group(1) if sock else ''}")
PY
}

# nginx once for the whole run: root $WORK/nginx/root, the JSON file rewritten per N.
mkdir -p "$WORK/nginx/root/api/v1/portal/resources"
echo '{}' >"$WORK/nginx/root/api/v1/portal/resources/detail.json"
start_nginx "location / { root $WORK/nginx/root; types { application/json json; } }"

DRAIN_SECS="${BENCH_PORTAL_DRAIN:-20}"
MEASURE_SECS=$((3 * SECS + DRAIN_SECS + 20))  # three wrk runs, warm-up, drain, a flush, samples

bench_n() {  # N
  local n="$1" data="$WORK/data-$n" csv="$WORK/import-$n.csv" db
  mkdir -p "$data"
  db="$data/lep.db"
  new_database "$data"
  say "portal: N=$n ($(db_label)) — seed-demo"
  "$LEP_BIN" seed-demo --no-showcase --data "$data" >"$WORK/seed-$n.log" 2>&1 || { cat "$WORK/seed-$n.log" >&2; die "seed-demo failed"; }
  [[ "$BENCH_DB" == pg || -f "$db" ]] || die "no $db after seed-demo"
  local unit before
  unit="$(db_sql "SELECT id FROM orgs WHERE name = '岭南示范职业技术学院（演示）'")"
  [[ -n "$unit" ]] || die "demo college not found"
  before="$(db_sql "SELECT COALESCE(MAX(id), 0) FROM resources")"
  say "portal: N=$n — generating the CSV"
  local t0=$(date +%s.%N)
  python3 "$WORK/gen.py" "$csv" "$n" || die "CSV generation failed"
  local t_gen; t_gen=$(python3 -c "import time,sys;print(f'{time.time()-float(sys.argv[1]):.1f}')" "$t0")
  local left=$((BUDGET - $(elapsed)))
  ((left > 30)) || { SKIP_REASON="budget exhausted before the import"; return 1; }
  say "portal: N=$n — lep import (budget ${left}s left)"
  t0=$(date +%s.%N)
  timeout "$left" "$LEP_BIN" import "$csv" --unit "$unit" --data "$data" >"$WORK/import-$n.log" 2>&1 ||
    { tail -5 "$WORK/import-$n.log" >&2; SKIP_REASON="lep import failed or ran out of the ${BUDGET} s budget"; return 1; }
  local t_imp; t_imp=$(python3 -c "import time,sys;print(f'{time.time()-float(sys.argv[1]):.1f}')" "$t0")
  t0=$(date +%s.%N)
  local now_ms=$(($(date +%s) * 1000))
  db_sql "UPDATE resources SET state = 'published', version = version + 1, published_at = $now_ms, updated_at = $now_ms WHERE id > $before" ||
    die "publishing in the database failed"
  local t_pub; t_pub=$(python3 -c "import time,sys;print(f'{time.time()-float(sys.argv[1]):.1f}')" "$t0")
  db_sql "SELECT id FROM resources WHERE id > $before AND state = 'published'" >"$WORK/ids-$n.txt"
  local count; count=$(wc -l <"$WORK/ids-$n.txt")
  [[ "$count" == "$n" ]] || die "expected $n imported resources, found $count"
  # The reindex may use what the budget leaves after keeping enough for the measurements.
  left=$((BUDGET - $(elapsed) - MEASURE_SECS))
  ((left > 10)) || { SKIP_REASON="budget exhausted before the reindex"; return 1; }
  say "portal: N=$n — lep reindex (may take ${left}s)"
  t0=$(date +%s.%N)
  if ! timeout "$left" "$LEP_BIN" reindex --data "$data" >"$WORK/reindex-$n.log" 2>&1; then
    tail -5 "$WORK/reindex-$n.log" >&2
    SKIP_REASON="\`lep import\` took ${t_imp} s, but \`lep reindex\` did not finish within the ${left} s the ${BUDGET} s budget left it"
    return 1
  fi
  local t_idx; t_idx=$(python3 -c "import time,sys;print(f'{time.time()-float(sys.argv[1]):.1f}')" "$t0")
  local db_mib; db_mib=$(du -sm "$data" | cut -f1)

  serve_lep "$data"
  # Sanity: search finds things; a typical detail response for nginx's file (median size of 21).
  local hits
  hits="$(curl -sf "$LEP_BASE/api/v1/portal/search?q=$(python3 -c 'import urllib.parse;print(urllib.parse.quote("太极"))')" |
    python3 -c 'import json,sys;print(json.load(sys.stdin)["total"])')"
  ((hits > 0)) || die "search for 太极 found nothing"
  local i sizes=()
  for i in $(shuf -n 21 "$WORK/ids-$n.txt"); do
    curl -sf -o "$WORK/detail.$i.json" -A bench-sample "$LEP_BASE/api/v1/portal/resources/$i" || die "detail $i failed"
    sizes+=("$(stat -c %s "$WORK/detail.$i.json") $i")
  done
  local median_id median_size
  read -r median_size median_id <<<"$(printf '%s\n' "${sizes[@]}" | sort -n | sed -n 11p)"
  cp "$WORK/detail.$median_id.json" "$WORK/nginx/root/api/v1/portal/resources/detail.json"
  [[ "$(curl -sf "$NGINX_BASE/api/v1/portal/resources/detail.json" | wc -c)" == "$median_size" ]] || die "nginx file check failed"

  local clicks_before clicks_after
  clicks_before="$(db_sql "SELECT SUM(clicks) FROM resources")"
  export IDS_FILE="$WORK/ids-$n.txt"
  # Search first, on a quiet server (detail views leave the click flusher busy, see below).
  run_wrk "search-$n" "$WORK/search.lua" "$LEP_BASE"
  # One connection: the service time of a single query, without queueing behind 31 others.
  say "portal: wrk -t1 -c1 -d5s search-c1-$n"
  timeout 40 wrk -t1 -c1 -d5s --latency -s "$WORK/search.lua" "$LEP_BASE" >"$WORK/wrk.search-c1-$n.txt" 2>&1 ||
    die "wrk search-c1 failed"
  # Short warm-up of the detail path (page cache, any lep caches), not measured.
  timeout 20 wrk -t2 -c8 -d3s -s "$WORK/detail.lua" "$LEP_BASE" >/dev/null 2>&1 || true
  run_wrk "detail-$n" "$WORK/detail.lua" "$LEP_BASE"
  # The clicks are flushed every 5 s in the background; wait (at most DRAIN_SECS) until lep is
  # idle again so that nginx is measured on a quiet machine, and report how long that took.
  local busy_secs=0 idle="" a b
  while ((busy_secs < DRAIN_SECS)); do
    a=$(awk '{print $14 + $15}' "/proc/$LEP_PID/stat")
    sleep 1
    b=$(awk '{print $14 + $15}' "/proc/$LEP_PID/stat")
    busy_secs=$((busy_secs + 1))
    # < 5 % of one core (clock ticks are 1/100 s)
    if (((b - a) < 5)); then idle=1; break; fi
  done
  local drain_note="lep was idle again ${busy_secs} s after the detail run"
  [[ -n "$idle" ]] || drain_note="lep was still busy ${DRAIN_SECS} s after the detail run (stopped waiting; nginx measured beside it)"
  sleep 5  # one more flush interval for the database figure
  clicks_after="$(db_sql "SELECT SUM(clicks) FROM resources")"
  run_wrk "nginx-$n" "$WORK/static.lua" "$NGINX_BASE"
  # The same detail requests through the shipped nginx site (1 s microcache of public JSON).
  start_shipped_nginx
  timeout 20 wrk -t2 -c8 -d3s -s "$WORK/detail.lua" "$SHIPPED_BASE" >/dev/null 2>&1 || true
  run_wrk "shipped-$n" "$WORK/detail.lua" "$SHIPPED_BASE"
  stop_shipped_nginx
  local rss; rss=$(( $(vm_kib "$LEP_PID" VmHWM) / 1024 ))
  echo "portal-$n ($(db_label)) $rss" >>"${BENCH_RSS_LOG:-/dev/null}"
  stop_lep

  local D_RPS D_P50 D_P99 D_MS D_BAD N_RPS N_P50 N_P99 N_MS N_BAD S_RPS S_P50 S_P99 S_MS S_BAD
  IFS='|' read -r D_RPS D_P50 D_P99 D_MS D_BAD <<<"$(parse "$WORK/wrk.detail-$n.txt")"
  IFS='|' read -r N_RPS N_P50 N_P99 N_MS N_BAD <<<"$(parse "$WORK/wrk.nginx-$n.txt")"
  IFS='|' read -r S_RPS S_P50 S_P99 S_MS S_BAD <<<"$(parse "$WORK/wrk.search-$n.txt")"
  local M_RPS M_P50 M_P99 M_MS M_BAD
  IFS='|' read -r M_RPS M_P50 M_P99 M_MS M_BAD <<<"$(parse "$WORK/wrk.shipped-$n.txt")"
  local m_ratio; m_ratio="$(python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$M_RPS" "$N_RPS")"
  local C_RPS C_P50 C_P99 C_MS C_BAD
  IFS='|' read -r C_RPS C_P50 C_P99 C_MS C_BAD <<<"$(parse "$WORK/wrk.search-c1-$n.txt")"
  local ratio; ratio="$(python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$D_RPS" "$N_RPS")"
  local requests; requests="$(grep -o '[0-9]* requests in' "$WORK/wrk.detail-$n.txt" | cut -d' ' -f1)"

  summary "portal detail, $n published, req/s (baseline: nginx static JSON)" "$D_RPS" "$N_RPS" "$ratio"
  summary "portal detail, $n published, p99 (baseline: nginx)" "$D_P99" "$N_P99" "$(python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.1f}')" "$D_MS" "$N_MS")"
  summary "portal detail, $n published, req/s, through the shipped nginx (microcache) (baseline: nginx static JSON)" "$M_RPS" "$N_RPS" "$m_ratio"
  summary "portal search, $n published, req/s (baseline: nginx static JSON)" "$S_RPS" "$N_RPS" "$(python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.3f}')" "$S_RPS" "$N_RPS")"
  summary "portal search, $n published, p99 (baseline: nginx)" "$S_P99" "$N_P99" "$(python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.1f}')" "$S_MS" "$N_MS")"
  cat <<EOF
## Portal ($(db_label)): $n published resources (wrk ${WRK_ARGS[*]}, ${SECS} s each)

| target | req/s | p50 | p99 | non-2xx / socket errors |
|---|---|---|---|---|
| lep GET /api/v1/portal/resources/{random id} (random visitor cookie) | $D_RPS | $D_P50 | $D_P99 | $D_BAD |
| nginx 1.22, static JSON of the same size ($median_size bytes) | $N_RPS | $N_P50 | $N_P99 | $N_BAD |
| the same detail requests through the shipped nginx site (deploy/nginx: 1 s microcache) | $M_RPS | $M_P50 | $M_P99 | $M_BAD |
| lep GET /api/v1/portal/search?q=… (${#QUERIES[@]} queries cycled) | $S_RPS | $S_P50 | $S_P99 | $S_BAD |
| same search, one connection (wrk -t1 -c1, 5 s) | $C_RPS | $C_P50 | $C_P99 | $C_BAD |

- detail / nginx req/s: **${ratio}×** from lep directly (goal ≥ 0.5×), **${m_ratio}×** through the shipped nginx (goal ≥ 0.9×); ids are uniformly random over all $n, so the microcache hits only ids asked again within its second
- search p99: **${S_MS} ms** at 32 connections, ${C_MS} ms at one (goal ≤ 10 ms at 100 k)
- clicks: $requests detail requests (plus a 3 s warm-up) → clicks in the database rose by $((clicks_after - clicks_before)) (the GET counts nothing; clicks come with POST …/view); $drain_note
- order: search (quiet server), detail warm-up 3 s, detail, wait for lep to go idle, nginx, the shipped nginx site (3 s warm-up)
- fill: CSV generated in ${t_gen} s; \`lep import\` ${t_imp} s; SQL publish ${t_pub} s; \`lep reindex\` ${t_idx} s; data dir ${db_mib} MiB; lep peak RSS ${rss} MiB
- queries: ${QUERIES[*]}

EOF
  [[ "$D_BAD" == 0 && "$N_BAD" == 0 && "$S_BAD" == 0 && "$M_BAD" == 0 ]] || say "portal: N=$n had non-2xx answers or socket errors (see the table)"
}

for n in $NS; do
  SKIP_REASON=""
  if ! bench_n "$n"; then
    stop_lep
    printf '## Portal (%s): %s published resources\n\nNOT MEASURED: %s (%s s used).\n\n' "$(db_label)" "$n" "$SKIP_REASON" "$(elapsed)"
  fi
done
say "portal: $(elapsed) s in all"
