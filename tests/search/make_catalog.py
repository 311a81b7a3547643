#!/usr/bin/env python3
"""Writes tests/search/catalog.json and queries.json: the relevance test set of lep_search.

Every person and unit is invented (names like 张演示、李示例, units like 示例开放大学) so the
fixture can never be mistaken for real data. Deterministic: same output on every run.
Relevance judgments are written down as intent (which topics / which episodes answer a query,
graded 3 = exactly what was asked, 2 = clearly relevant, 1 = related), independent of how the
engine matches text. Usage: python3 tests/search/make_catalog.py  (from the repo root)
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))

UNITS = [
    # name, province
    ("示例开放大学", "北京市"),
    ("演示老年大学", "浙江省"),
    ("虚构市社区教育学院", "江苏省"),
    ("样本职业技术学院", "广东省"),
    ("假想县老年学校", "四川省"),
    ("模拟区社区学院", "上海市"),
    ("示例师范大学继续教育学院", "湖北省"),
    ("演示技师学院", "山东省"),
    ("范例城市学院", "陕西省"),
    ("虚拟岭南长者学苑", "广东省"),
]

# Each topic: key, domain, category, type, series, unit index, presenters, keywords,
# topic summary sentences, episodes (title, one-line content).
TOPICS = [
    dict(key="taiji", domain="老年教育", category="健康养生-太极拳", type="A01",
         series="二十四式太极拳入门", unit=1, presenters=["张演示"],
         keywords=["太极拳", "二十四式", "健身", "养生"],
         about="课程由浅入深讲解二十四式简化太极拳的动作要领、呼吸配合与常见错误，适合零基础的中老年学员跟练。",
         episodes=[("起势与站桩", "讲解太极拳的起势、站桩和基本身型要求"),
                   ("左右野马分鬃", "分解野马分鬃的步法与手法"),
                   ("白鹤亮翅与搂膝拗步", "练习白鹤亮翅和搂膝拗步的重心转换"),
                   ("手挥琵琶与倒卷肱", "讲解手挥琵琶、倒卷肱的虚实变化"),
                   ("揽雀尾详解", "拆解左右揽雀尾中的掤、捋、挤、按"),
                   ("单鞭与云手", "练习单鞭、云手的腰胯带动"),
                   ("高探马与蹬脚", "讲解高探马、右蹬脚时如何保持平衡"),
                   ("收势与完整演练", "完整演练二十四式并讲解收势与放松")]),
    dict(key="taiji_fan", domain="老年教育", category="健康养生-太极拳", type="A01",
         series="太极扇基础", unit=4, presenters=["孙试讲"],
         keywords=["太极扇", "太极", "扇子功"],
         about="太极扇融合了太极拳的柔缓与扇子的开合，动作舒展优美，适合有一定太极基础的老年朋友。",
         episodes=[("太极扇的握法与开合", "介绍扇子的选择、握法和开扇合扇"),
                   ("太极扇第一段", "学习第一段八个动作"),
                   ("太极扇第二段", "学习第二段动作与步型"),
                   ("太极扇完整套路演示", "完整演示并讲解配乐节奏")]),
    dict(key="baduanjin", domain="老年教育", category="健康养生-八段锦", type="A01",
         series="健身气功八段锦", unit=2, presenters=["李示例"],
         keywords=["八段锦", "健身气功", "养生", "颈椎"],
         about="八段锦是传统健身气功，动作简单、运动量适中，长期练习有助于舒展筋骨、改善颈肩不适。",
         episodes=[("两手托天理三焦", "讲解第一式的动作与呼吸"),
                   ("左右开弓似射雕", "讲解第二式的马步与开弓"),
                   ("调理脾胃须单举", "讲解第三式上下对拉"),
                   ("五劳七伤往后瞧", "讲解第四式转头与颈椎保健"),
                   ("摇头摆尾去心火", "讲解第五式的重心移动"),
                   ("八段锦完整跟练", "十二分钟完整跟练版本")]),
    dict(key="tcm", domain="老年教育", category="健康养生-中医养生", type="A02",
         series="四季中医养生课堂", unit=4, presenters=["王样本"],
         keywords=["中医养生", "养生", "节气", "食疗"],
         about="用通俗的语言讲解中医养生的基本观念，结合二十四节气介绍饮食起居、穴位按摩等日常保健方法。",
         episodes=[("春季养肝与情志调养", "讲春季养生重在养肝、舒畅情志"),
                   ("夏季养心与防暑", "讲夏季养心、防暑降温的饮食"),
                   ("秋季润燥养肺", "讲秋燥的应对与润肺食疗"),
                   ("冬季藏精与进补", "讲冬季进补的原则与误区"),
                   ("常用保健穴位按摩", "介绍足三里、合谷等穴位的按摩方法"),
                   ("药食同源话食疗", "介绍山药、红枣等药食同源食材"),
                   ("睡眠不好怎么调理", "从中医角度谈失眠的调理")]),
    dict(key="nutrition", domain="老年教育", category="健康养生-营养膳食", type="A01",
         series="老年人营养膳食指南", unit=2, presenters=["周范例"],
         keywords=["营养", "膳食", "慢性病", "养生"],
         about="依据膳食指南，为老年人讲解如何吃得均衡、吃得安全，兼顾高血压、糖尿病等慢性病人群的饮食需要。",
         episodes=[("老年人一天该吃多少", "讲解食物多样与合理搭配"),
                   ("高血压患者的饮食", "控盐控油与高血压的饮食管理"),
                   ("糖尿病饮食误区", "讲解控制血糖的主食选择"),
                   ("补钙与预防骨质疏松", "讲解奶类、豆制品与补钙"),
                   ("读懂食品标签", "教老人看配料表和营养成分表")]),
    dict(key="calligraphy", domain="老年教育", category="文化艺术-书法", type="A01",
         series="楷书书法入门", unit=1, presenters=["赵虚构"],
         keywords=["书法", "楷书", "毛笔字", "颜体"],
         about="从执笔、运笔讲起，以颜体楷书为范本，逐步讲解基本笔画、偏旁部首和结构规律，帮助学员写好毛笔字。",
         episodes=[("文房四宝与执笔方法", "介绍笔墨纸砚的选用和正确执笔"),
                   ("横画与竖画", "练习楷书的横、竖基本笔画"),
                   ("撇捺的写法", "讲解撇和捺的起收笔"),
                   ("点与钩", "讲解各类点画和钩画"),
                   ("常见偏旁部首", "讲解三点水、单人旁等部首"),
                   ("独体字的结构", "讲解独体字的重心与比例"),
                   ("合体字的结构", "讲解左右、上下结构字的穿插避让"),
                   ("楷书作品的章法", "讲解落款、钤印与整幅作品布局")]),
    dict(key="hardpen", domain="社区教育", category="文化艺术-书法", type="A01",
         series="硬笔书法练字课", unit=5, presenters=["钱示范"],
         keywords=["硬笔书法", "书法", "练字", "钢笔字"],
         about="面向社区居民的硬笔书法课，讲解钢笔、中性笔的握笔姿势和行楷书写技巧，让日常书写更工整美观。",
         episodes=[("握笔姿势与坐姿", "纠正常见的错误握笔"),
                   ("硬笔楷书基本笔画", "练习硬笔楷书笔画"),
                   ("硬笔行书入门", "讲解行书的连笔规律"),
                   ("写好自己的名字", "签名与常用字书写")]),
    dict(key="painting", domain="老年教育", category="文化艺术-国画-花鸟画", type="A01",
         series="写意花鸟画技法", unit=6, presenters=["吴模拟"],
         keywords=["国画", "花鸟画", "写意", "水墨"],
         about="讲解中国画写意花鸟的用笔用墨，从梅兰竹菊入手，兼谈书法用笔与绘画的关系，适合老年大学国画班。",
         episodes=[("国画工具与墨色变化", "认识宣纸、毛笔与墨分五色"),
                   ("画梅花", "讲解梅花枝干与花朵的画法"),
                   ("画兰草", "讲解兰叶的撇法，书画同源的笔法"),
                   ("画竹子", "讲解竹竿、竹节与竹叶"),
                   ("画菊花", "讲解菊花的勾勒与设色"),
                   ("小写意牡丹", "讲解牡丹花头的点染")]),
    dict(key="smartphone", domain="老年教育", category="数字生活-智能手机应用", type="A01",
         series="老年人智能手机应用", unit=2, presenters=["陈假名", "刘测试"],
         keywords=["智能手机", "手机", "数字生活", "适老化"],
         about="帮助老年人跨越数字鸿沟，手把手教会常用的智能手机操作：视频通话、扫码、打车、挂号和移动支付。",
         episodes=[("认识智能手机的基本设置", "调大字体、设置音量和亮度"),
                   ("用微信和家人视频通话", "添加好友、发语音、视频聊天"),
                   ("扫码出行与健康码", "教会老人扫码乘车"),
                   ("用手机预约挂号看病", "在手机上预约医院门诊挂号"),
                   ("手机打车不用愁", "使用打车软件叫车"),
                   ("移动支付安全须知", "绑定银行卡与安全支付"),
                   ("用手机拍照和分享照片", "拍照、修图与发朋友圈"),
                   ("手机网上买菜", "使用买菜软件下单")]),
    dict(key="computer", domain="社区教育", category="数字生活-电脑基础", type="A01",
         series="电脑入门一点通", unit=5, presenters=["郑演练"],
         keywords=["电脑", "计算机", "上网", "打字"],
         about="面向社区居民的电脑入门课程，从开关机讲起，学习拼音打字、上网查资料和收发电子邮件。",
         episodes=[("认识电脑与开关机", "电脑的组成和正确开关机"),
                   ("鼠标和键盘的使用", "练习鼠标点击与键盘"),
                   ("拼音输入法打字", "学习拼音打字"),
                   ("用浏览器上网查资料", "搜索与浏览网页"),
                   ("收发电子邮件", "注册邮箱与发送附件")]),
    dict(key="antifraud", domain="社区教育", category="安全教育-防范诈骗", type="A01",
         series="守好钱袋子：防范电信网络诈骗", unit=2, presenters=["冯拟名"],
         keywords=["防诈骗", "电信诈骗", "反诈", "养老诈骗"],
         about="通过典型案例剖析冒充公检法、保健品推销、以房养老等常见骗局，教居民识别和防范电信网络诈骗。",
         episodes=[("冒充公检法诈骗", "识别自称警察、法院的电话"),
                   ("保健品会销骗局", "揭秘免费讲座背后的保健品推销"),
                   ("以房养老骗局", "警惕以房养老名义的借贷陷阱"),
                   ("刷单返利诈骗", "刷单就是诈骗"),
                   ("网络交友与投资诈骗", "识别杀猪盘和虚假投资平台"),
                   ("遇到诈骗怎么办", "拨打反诈专线与报警")]),
    dict(key="fire", domain="社区教育", category="安全教育-消防安全", type="A01",
         series="家庭消防安全常识", unit=7, presenters=["韩演习"],
         keywords=["消防", "火灾", "灭火器", "逃生"],
         about="讲解家庭常见火灾隐患、灭火器的使用和火场逃生自救方法，提升社区居民的消防安全意识。",
         episodes=[("家庭火灾隐患排查", "电动自行车、燃气与电器隐患"),
                   ("灭火器的正确使用", "手提式灭火器四步操作"),
                   ("火场逃生自救", "低姿捂鼻与逃生路线"),
                   ("厨房燃气安全", "燃气泄漏的处置")]),
    dict(key="firstaid", domain="社区教育", category="安全教育-应急救护", type="A01",
         series="社区应急救护", unit=6, presenters=["沈虚拟"],
         keywords=["急救", "心肺复苏", "AED", "应急救护"],
         about="由示例红十字会培训师讲解心肺复苏、AED 使用、海姆立克急救法等应急救护技能，关键时刻能救命。",
         episodes=[("心肺复苏CPR操作", "胸外按压与人工呼吸"),
                   ("AED自动体外除颤器的使用", "认识并使用AED"),
                   ("海姆立克急救法", "气道异物梗阻的急救"),
                   ("外伤止血与包扎", "常见外伤的止血包扎"),
                   ("中暑与低血糖的现场处理", "常见急症的处置")]),
    dict(key="garbage", domain="社区教育", category="社区生活-垃圾分类", type="A01",
         series="垃圾分类我先行", unit=5, presenters=["蒋假设"],
         keywords=["垃圾分类", "环保", "厨余垃圾", "可回收物"],
         about="讲解可回收物、有害垃圾、厨余垃圾和其他垃圾的分类标准与投放要求，倡导绿色低碳生活。",
         episodes=[("为什么要垃圾分类", "垃圾分类的意义"),
                   ("厨余垃圾怎么分", "湿垃圾的分类与投放"),
                   ("可回收物与有害垃圾", "辨别可回收物和有害垃圾"),
                   ("社区垃圾分类督导员", "志愿者如何开展督导")]),
    dict(key="parenting", domain="社区教育", category="家庭教育-亲子沟通", type="A02",
         series="家长学堂：亲子沟通", unit=6, presenters=["杨样稿"],
         keywords=["家庭教育", "亲子沟通", "青春期", "家长"],
         about="帮助家长理解孩子不同成长阶段的心理特点，学会倾听与表达，化解亲子冲突，营造良好的家庭教育氛围。",
         episodes=[("学会倾听孩子", "倾听的技巧"),
                   ("如何与青春期孩子沟通", "理解青春期的叛逆"),
                   ("手机依赖怎么办", "孩子沉迷手机游戏的应对"),
                   ("隔代教育的相处之道", "祖辈带娃的沟通"),
                   ("作业辅导不吼不叫", "辅导作业时的情绪管理")]),
    dict(key="aviation_engine", domain="社区教育", category="科学文化-航空知识-航空发动机", type="A01",
         series="走近航空发动机", unit=8, presenters=["卫样例"],
         keywords=["航空发动机", "涡扇发动机", "航空", "科普"],
         about="面向社区居民的航空科普系列，讲解喷气式航空发动机的工作原理、关键部件与发展历程。",
         episodes=[("航空发动机是飞机的心脏", "航空发动机的作用与分类"),
                   ("涡轮风扇发动机如何工作", "进气、压缩、燃烧、涡轮、排气"),
                   ("发动机叶片的秘密", "单晶叶片与耐高温材料"),
                   ("从活塞发动机到喷气时代", "航空动力的发展史")]),
    dict(key="aviation_flight", domain="社区教育", category="科学文化-航空知识-飞行原理", type="A01",
         series="飞机为什么能飞", unit=8, presenters=["卫样例"],
         keywords=["飞行原理", "升力", "航空", "科普"],
         about="用生活中的小实验讲解升力、阻力和飞机的操纵原理，适合青少年和航空爱好者。",
         episodes=[("升力从哪里来", "机翼与伯努利原理"),
                   ("飞机如何转弯和爬升", "副翼、升降舵与方向舵"),
                   ("民航客机的一次飞行", "从起飞到降落的全过程")]),
    dict(key="astronomy", domain="社区教育", category="科学文化-天文知识", type="A01",
         series="星空下的天文课", unit=0, presenters=["褚例证"],
         keywords=["天文", "星座", "望远镜", "科普"],
         about="带领居民认识四季星空、月相变化与日食月食，学习使用入门级天文望远镜。",
         episodes=[("认识四季星座", "春夏秋冬的代表星座"),
                   ("月相为什么会变化", "月亮的圆缺"),
                   ("天文望远镜入门", "如何选择和使用望远镜")]),
    dict(key="chorus", domain="老年教育", category="文化艺术-音乐-合唱", type="A02",
         series="老年合唱团发声训练", unit=1, presenters=["何例子"],
         keywords=["合唱", "声乐", "发声", "音乐"],
         about="针对老年合唱团员讲解科学发声、气息控制和声部配合，附经典合唱曲目的分声部练习。",
         episodes=[("气息的控制", "腹式呼吸练习"),
                   ("共鸣与咬字", "头腔共鸣与吐字清晰"),
                   ("声部的配合与和声", "多声部合唱的听辨"),
                   ("经典合唱曲目排练", "分声部练唱")]),
    dict(key="hulusi", domain="老年教育", category="文化艺术-音乐-器乐", type="A01",
         series="葫芦丝零基础教程", unit=4, presenters=["何例子"],
         keywords=["葫芦丝", "器乐", "民族乐器", "音乐"],
         about="葫芦丝音色柔美、易学易奏，本课程从持笛姿势和筒音讲起，学会演奏几首经典民族乐曲。",
         episodes=[("认识葫芦丝与持笛姿势", "乐器结构与持法"),
                   ("长音与吐音练习", "基本气息与吐音"),
                   ("演奏《月光下的凤尾竹》片段", "经典曲目学习")]),
    dict(key="square_dance", domain="社区教育", category="文化艺术-舞蹈-广场舞", type="A01",
         series="健康广场舞", unit=2, presenters=["朱演示"],
         keywords=["广场舞", "舞蹈", "健身"],
         about="动作简单易学的广场舞教学，配有分解动作与正背面示范，兼顾健身效果与运动安全。",
         episodes=[("广场舞基本步伐", "十字步、踏步与恒步"),
                   ("健身操式广场舞", "有氧健身组合"),
                   ("民族风广场舞", "民族舞元素组合"),
                   ("跳广场舞如何避免运动损伤", "热身与膝关节保护")]),
    dict(key="photo", domain="老年教育", category="文化艺术-摄影", type="A01",
         series="摄影艺术入门", unit=6, presenters=["秦假名"],
         keywords=["摄影", "构图", "相机", "手机摄影"],
         about="讲解摄影构图、用光和相机基本操作，也教大家用手机拍出好照片，记录美好晚年生活。",
         episodes=[("摄影构图基础", "三分法与引导线"),
                   ("光线的运用", "顺光、侧光与逆光"),
                   ("手机摄影技巧", "用手机拍人像和风景"),
                   ("拍好太极晨练的照片", "运动人物的抓拍技巧"),
                   ("照片后期调色入门", "简单的后期处理")]),
    dict(key="papercut", domain="社区教育", category="传统文化-非物质文化遗产-剪纸", type="A01",
         series="民间剪纸技艺", unit=9, presenters=["尤示例"],
         keywords=["剪纸", "非遗", "民间艺术", "传统文化"],
         about="由示例剪纸工作室传承人讲解民间剪纸的纹样寓意、折剪与刻纸技法，感受非物质文化遗产之美。",
         episodes=[("剪纸的历史与寓意", "窗花、喜字的文化内涵"),
                   ("对称剪纸折法", "二折、四折、五角折"),
                   ("剪一幅喜字窗花", "完整作品演示"),
                   ("生肖剪纸", "十二生肖造型")]),
    dict(key="yueju_trad", domain="社区教育", category="文化艺术-戏曲-粤剧", type="A02",
         series="粵劇入門", unit=9, presenters=["許示範"],
         keywords=["粵劇", "戲曲", "嶺南文化", "唱腔"],
         about="本系列以粵語講解粵劇的行當、唱腔與鑼鼓，帶領街坊欣賞經典折子戲，傳承嶺南傳統文化。",
         episodes=[("粵劇的行當與臉譜", "認識生旦淨丑"),
                   ("粵劇唱腔欣賞", "梆子與二黃"),
                   ("鑼鼓經與身段", "基本身段與鑼鼓點")]),
    dict(key="yueju_opera", domain="老年教育", category="文化艺术-戏曲-越剧", type="A02",
         series="越剧唱腔赏析", unit=1, presenters=["吕样本"],
         keywords=["越剧", "戏曲", "唱腔"],
         about="赏析越剧尹派、袁派等流派唱腔的特点，学唱经典唱段，了解江南戏曲文化。",
         episodes=[("越剧流派概说", "各流派的形成"),
                   ("学唱经典越剧唱段", "分句教唱"),
                   ("越剧的服饰与水袖", "水袖功基础")]),
    dict(key="civil_code", domain="社区教育", category="法律常识-民法典", type="A01",
         series="民法典与百姓生活", unit=0, presenters=["施虚构"],
         keywords=["民法典", "法律", "继承", "婚姻家庭"],
         about="结合身边案例解读民法典中与百姓生活密切相关的条款：遗嘱继承、婚姻家庭、物业纠纷和居住权。",
         episodes=[("遗嘱与继承", "遗嘱的形式与效力"),
                   ("婚姻家庭编要点", "夫妻共同财产"),
                   ("物业纠纷怎么办", "业主权利与物业服务"),
                   ("居住权是什么", "以案说法讲居住权"),
                   ("高空抛物谁担责", "侵权责任编案例")]),
    dict(key="mental", domain="社区教育", category="心理健康-情绪管理", type="A02",
         series="心理健康与情绪管理", unit=6, presenters=["孔样例"],
         keywords=["心理健康", "情绪管理", "焦虑", "减压"],
         about="讲解焦虑、抑郁情绪的识别与自我调节方法，学习正念放松练习，维护身心健康。",
         episodes=[("认识焦虑情绪", "焦虑的信号"),
                   ("正念放松练习", "十分钟正念呼吸"),
                   ("退休后的心理调适", "适应退休生活的角色转变"),
                   ("如何帮助身边情绪低落的人", "倾听与陪伴")]),
    # 学历继续教育
    dict(key="math", domain="学历继续教育", category="学历课程-公共基础-高等数学", type="A03",
         series="高等数学（上）", unit=0, presenters=["曹演示"],
         keywords=["高等数学", "微积分", "极限", "导数"],
         about="开放教育本科公共基础课，系统讲授函数、极限、导数与积分，配有例题精讲和课后习题。",
         episodes=[("函数与极限", "极限的概念与运算"),
                   ("导数的定义与求导法则", "求导公式"),
                   ("微分中值定理", "罗尔定理与拉格朗日定理"),
                   ("不定积分", "换元积分与分部积分"),
                   ("定积分及其应用", "面积与体积的计算"),
                   ("微分方程初步", "一阶微分方程")]),
    dict(key="english", domain="学历继续教育", category="学历课程-公共基础-大学英语", type="A02",
         series="大学英语听说", unit=6, presenters=["严示例"],
         keywords=["大学英语", "英语听力", "口语", "English"],
         about="面向成人学历教育学员的大学英语听说课程，围绕日常生活和职场情景训练英语听力和口语表达。",
         episodes=[("Greetings and Introductions 问候与介绍", "日常问候与自我介绍"),
                   ("Travel English 旅行英语", "机场、酒店情景对话"),
                   ("Job Interview 求职面试", "面试常用表达"),
                   ("英语听力技巧", "抓关键词与预测"),
                   ("Business Email 商务邮件写作", "英文邮件格式")]),
    dict(key="accounting", domain="学历继续教育", category="学历课程-经济管理-会计", type="A03",
         series="基础会计学", unit=0, presenters=["华样本"],
         keywords=["会计", "会计分录", "财务报表", "借贷记账法"],
         about="讲授会计要素、借贷记账法、会计凭证与账簿、财务报表编制等基础会计知识，适合会计专业开放教育学员。",
         episodes=[("会计要素与会计等式", "资产、负债与所有者权益"),
                   ("借贷记账法", "会计分录的编制"),
                   ("会计凭证与账簿", "原始凭证和记账凭证"),
                   ("财务报表的编制", "资产负债表与利润表"),
                   ("成本核算入门", "产品成本的计算")]),
    dict(key="programming", domain="学历继续教育", category="学历课程-计算机-程序设计", type="A03",
         series="Python程序设计", unit=3, presenters=["金虚拟"],
         keywords=["Python", "程序设计", "编程", "计算机"],
         about="面向计算机专业成人学历教育学员的Python程序设计课程，讲解变量、流程控制、函数和数据分析入门。",
         episodes=[("Python环境搭建", "安装与第一个程序"),
                   ("变量与数据类型", "数字、字符串与列表"),
                   ("流程控制", "if判断与for循环"),
                   ("函数与模块", "定义函数与导入模块"),
                   ("用Python做数据分析", "读取表格与统计")]),
    dict(key="nursing", domain="学历继续教育", category="学历课程-医药卫生-护理学", type="A03",
         series="护理学基础", unit=6, presenters=["魏演练"],
         keywords=["护理学", "护理", "护士", "生命体征"],
         about="护理学专业课程，讲授生命体征测量、无菌技术、给药护理与老年护理等核心护理技能。",
         episodes=[("生命体征的测量", "体温、脉搏、呼吸、血压"),
                   ("无菌技术操作", "无菌原则与操作"),
                   ("给药护理", "口服与注射给药"),
                   ("老年护理要点", "压疮与跌倒的预防")]),
    dict(key="law_course", domain="学历继续教育", category="学历课程-法学-宪法学", type="A03",
         series="宪法学", unit=0, presenters=["陶试讲"],
         keywords=["宪法", "法学", "基本权利"],
         about="法学专业核心课，讲授宪法的基本原理、国家机构与公民的基本权利和义务。",
         episodes=[("宪法的概念与历史", "宪法的产生与发展"),
                   ("公民的基本权利和义务", "基本权利的内容"),
                   ("国家机构", "国家机构的组成")]),
    dict(key="pedagogy", domain="学历继续教育", category="学历课程-教育学-教育心理学", type="A03",
         series="教育心理学", unit=6, presenters=["姜例证"],
         keywords=["教育心理学", "学习动机", "心理学"],
         about="讲授学习理论、学习动机、知识建构与问题解决，帮助在职教师提升教学能力。",
         episodes=[("学习理论概述", "行为主义与建构主义"),
                   ("学习动机的激发", "成就动机与归因"),
                   ("成人学习的特点", "成人学习者的心理特点")]),
    # 非学历教育培训
    dict(key="electrician", domain="非学历教育培训", category="职业技能-电工", type="A01",
         series="低压电工实操培训", unit=7, presenters=["戚演示"],
         keywords=["电工", "低压电工", "安全用电", "特种作业"],
         about="依据低压电工作业人员培训大纲，讲解安全用电、电工仪表、线路敷设与照明电路安装等实操技能。",
         episodes=[("电工安全用电常识", "触电的危害与防护"),
                   ("万用表的使用", "测量电压、电流、电阻"),
                   ("照明电路的安装", "单控与双控开关接线"),
                   ("三相异步电动机控制", "正反转控制电路"),
                   ("漏电保护器的选用", "剩余电流保护装置")]),
    dict(key="housekeeping", domain="非学历教育培训", category="职业技能-家政服务", type="A01",
         series="家政服务员职业技能培训", unit=3, presenters=["谢示范"],
         keywords=["家政服务", "育婴", "养老护理", "保洁"],
         about="面向家政从业人员的职业技能培训，涵盖家居保洁、母婴护理、老人照护和职业礼仪。",
         episodes=[("家居保洁流程", "厨房卫生间清洁"),
                   ("新生儿护理", "洗澡、抚触与喂养"),
                   ("失能老人照护", "翻身、喂食与清洁"),
                   ("家政服务职业礼仪", "沟通与服务规范")]),
    dict(key="ecommerce", domain="非学历教育培训", category="职业技能-电子商务", type="A01",
         series="农村电商与直播带货", unit=4, presenters=["邹模拟"],
         keywords=["电子商务", "直播带货", "农产品", "网店"],
         about="帮助返乡创业人员掌握网店开设、短视频拍摄和直播带货技能，把家乡农产品卖向全国。",
         episodes=[("开一家网店", "网店注册与商品上架"),
                   ("农产品短视频拍摄", "用手机拍出好看的产品视频"),
                   ("直播带货话术", "直播间的互动与转化"),
                   ("电商物流与售后", "打包发货与售后服务")]),
    dict(key="cooking", domain="非学历教育培训", category="职业技能-烹饪", type="A01",
         series="中式烹调师培训", unit=7, presenters=["喻演习"],
         keywords=["烹饪", "中式烹调", "刀工", "川菜"],
         about="依据中式烹调师职业标准，讲解刀工、火候、调味与经典菜肴的制作。",
         episodes=[("烹饪刀工基础", "切、片、剁的技法"),
                   ("火候与油温的掌握", "油温判断"),
                   ("经典川菜宫保鸡丁", "宫保鸡丁的制作"),
                   ("家常菜营养搭配", "健康烹饪")]),
    dict(key="excel", domain="非学历教育培训", category="职业技能-办公软件", type="A01",
         series="Excel办公技能提升", unit=3, presenters=["柏假设"],
         keywords=["Excel", "办公软件", "电子表格", "数据透视表"],
         about="讲解Excel常用函数、数据透视表和图表制作，帮助职场人员提高办公效率。",
         episodes=[("Excel常用函数", "SUM、IF与VLOOKUP"),
                   ("数据透视表", "快速汇总与分析"),
                   ("图表制作", "柱形图与折线图"),
                   ("Word长文档排版", "样式与目录")]),
    dict(key="drone", domain="非学历教育培训", category="职业技能-无人机", type="A01",
         series="无人机操控与航拍", unit=8, presenters=["水虚拟"],
         keywords=["无人机", "航拍", "飞行安全"],
         about="讲解多旋翼无人机的组成、飞行法规和基本操控，以及农业植保与航拍应用。",
         episodes=[("无人机的组成与原理", "飞控、电机与桨叶"),
                   ("无人机飞行法规", "禁飞区与实名登记"),
                   ("无人机航拍技巧", "航拍构图与运镜"),
                   ("植保无人机作业", "农药喷洒作业规范")]),
    dict(key="tea", domain="非学历教育培训", category="职业技能-茶艺", type="A01",
         series="茶艺师基础", unit=4, presenters=["窦例子"],
         keywords=["茶艺", "茶文化", "绿茶", "功夫茶"],
         about="讲解六大茶类、茶具选用和冲泡技法，介绍中国茶文化，适合茶艺爱好者和从业人员。",
         episodes=[("六大茶类", "绿茶、红茶、乌龙茶等"),
                   ("绿茶玻璃杯冲泡", "上投法与中投法"),
                   ("潮汕功夫茶", "工夫茶的冲泡程式")]),
    dict(key="volunteer", domain="社区教育", category="社区生活-志愿服务", type="A01",
         series="社区志愿者培训", unit=5, presenters=["章示例"],
         keywords=["志愿服务", "志愿者", "社区治理"],
         about="介绍社区志愿服务的组织方式、服务技巧与权益保障，培养社区志愿者骨干。",
         episodes=[("志愿服务的意义与精神", "志愿精神"),
                   ("为老志愿服务技巧", "陪伴独居老人"),
                   ("社区活动策划", "如何策划一次社区活动")]),
    dict(key="elderly_care", domain="老年教育", category="健康养生-慢病管理", type="A02",
         series="老年常见慢性病管理", unit=4, presenters=["王样本"],
         keywords=["慢性病", "高血压", "糖尿病", "健康管理"],
         about="讲解高血压、糖尿病、骨质疏松等老年常见慢性病的自我监测与日常管理，学会看懂体检报告。",
         episodes=[("高血压的自我管理", "家庭血压测量"),
                   ("糖尿病的日常管理", "血糖监测与运动"),
                   ("预防老年人跌倒", "居家环境改造与平衡训练"),
                   ("看懂体检报告", "常见指标解读")]),
]

# A few resources outside any series, to make queries less regular.
SINGLES = [
    dict(key="single_taiji_health", domain="社区教育", category="健康养生-太极拳", type="A01",
         unit=5, presenters=["张演示"], series="",
         title="太极拳与养生：社区健身讲座", keywords=["太极拳", "养生", "健身讲座"],
         summary="张演示老师在社区健身讲座上谈太极拳的养生功效，介绍练习太极拳对平衡能力和心肺功能的益处，并示范几个适合在家练习的动作。"),
    dict(key="single_phone_fraud", domain="老年教育", category="数字生活-智能手机应用", type="A01",
         unit=1, presenters=["陈假名"], series="",
         title="手机上的陷阱：老年人如何识别诈骗短信", keywords=["智能手机", "防诈骗", "短信"],
         summary="结合智能手机使用场景，教老年人识别中奖短信、钓鱼链接和虚假客服，保护好自己的养老钱。"),
    dict(key="single_calligraphy_health", domain="老年教育", category="文化艺术-书法", type="A01",
         unit=2, presenters=["赵虚构"], series="",
         title="书法与养生", keywords=["书法", "养生", "修身养性"],
         summary="练习书法讲究心静气和，是一种修身养性的养生方式。本讲谈书法练习对老年人身心健康的益处。"),
    dict(key="single_aviation_history", domain="社区教育", category="科学文化-航空知识", type="A01",
         unit=8, presenters=["卫样例"], series="",
         title="中国航空工业发展简史", keywords=["航空", "航空工业", "科普"],
         summary="回顾我国航空工业从修理仿制到自主研制的发展历程，介绍航空发动机、大型客机等领域的成就。"),
    dict(key="single_computer_trad", domain="社区教育", category="数字生活-电脑基础", type="A01",
         unit=9, presenters=["許示範"], series="",
         title="長者電腦班：學用電子郵件", keywords=["電腦", "電子郵件", "長者"],
         summary="為長者而設的電腦入門課，一步步教大家申請電子郵箱、收發郵件和附上相片。"),
    dict(key="single_first_aid_elderly", domain="老年教育", category="安全教育-应急救护", type="A01",
         unit=4, presenters=["沈虚拟"], series="",
         title="老年人家庭急救常识", keywords=["急救", "老年人", "跌倒", "心脏骤停"],
         summary="讲解老人跌倒、心脏骤停、噎食等家庭常见意外的急救处置，学会拨打急救电话并正确描述病情。"),
    dict(key="single_garbage_kids", domain="社区教育", category="社区生活-垃圾分类", type="A01",
         unit=7, presenters=["蒋假设"], series="",
         title="小手拉大手：亲子垃圾分类游戏", keywords=["垃圾分类", "亲子活动", "环保"],
         summary="通过亲子游戏让孩子认识垃圾分类，家长和孩子一起动手，把环保习惯带回家。"),
    dict(key="single_script_title", domain="非学历教育培训", category="职业技能-办公软件", type="A01",
         unit=3, presenters=["柏假设"], series="",
         title="网页基础：认识<script>标签与HTML", keywords=["HTML", "网页制作"],
         summary="讲解HTML文档结构和<script>、<style>等常用标签，学会做一个简单的个人网页。"),
]

# Generic wording used to vary summaries.
OPENERS = ["本讲", "本节课", "这一讲", "本集"]
CLOSERS = [
    "课程配有练习与小结，方便学员课后复习。",
    "讲解通俗易懂，适合零基础学员。",
    "每讲时长适中，可按顺序系统学习，也可单独观看。",
    "",
]

BASE_MS = 1_672_531_200_000  # 2023-01-01T00:00:00+08:00 area; only order matters
DAY_MS = 86_400_000


def build_catalog():
    rnd = random.Random(20240601)
    docs = []
    by_key = {}
    next_id = 1001

    def add(doc, key, episode_index=None):
        nonlocal next_id
        doc["id"] = next_id
        next_id += 1
        docs.append(doc)
        by_key.setdefault(key, []).append((doc["id"], episode_index, doc))

    def common(t, unit_idx):
        unit, province = UNITS[unit_idx]
        kind = t["type"]
        duration = {"A01": rnd.randint(8, 45) * 60 + rnd.randint(0, 59),
                    "A02": rnd.randint(10, 40) * 60 + rnd.randint(0, 59),
                    "A03": rnd.randint(120, 900) * 60}[kind]
        return dict(unit_name=unit, province=province, copyright_holder=unit,
                    domain=t["domain"], type=kind, category=t["category"],
                    clicks=rnd.randint(50, 50000), learners=0,
                    published_at=BASE_MS + rnd.randint(0, 700) * DAY_MS + rnd.randint(0, 86399) * 1000,
                    duration_s=duration)

    # Two passes over the topics so that a topic's resources are not all adjacent ids.
    for t in TOPICS:
        for i, (ep_title, ep_desc) in enumerate(t["episodes"], start=1):
            d = common(t, t["unit"])
            d["learners"] = d["clicks"] // rnd.randint(2, 6)
            if t["key"] == "yueju_trad":
                title = f"{t['series']}（{i}）{ep_title}"
                summary = f"本集{ep_desc}。{t['about']}"
            else:
                title = f"{t['series']} 第{i:02d}讲 {ep_title}" if t["type"] != "A03" else \
                    f"{t['series']}：第{i}章 {ep_title}"
                summary = (f"{rnd.choice(OPENERS)}{ep_desc}。{t['about']}"
                           f"{rnd.choice(CLOSERS)}")
            d.update(title=title, summary=summary, series=t["series"],
                     presenters=list(t["presenters"]),
                     keywords=list(t["keywords"]))
            add(d, t["key"], i)
    # Second editions / recordings from other units make the catalog less regular.
    for t in TOPICS:
        if len(t["episodes"]) < 4:
            continue
        other_unit = (t["unit"] + 3) % len(UNITS)
        if other_unit == 9:
            other_unit = 0
        for i in (1, 3):
            ep_title, ep_desc = t["episodes"][i - 1]
            d = common(t, other_unit)
            d["learners"] = d["clicks"] // rnd.randint(2, 6)
            unit = UNITS[other_unit][0]
            title = f"{ep_title}（{unit}录制版）"
            summary = (f"{unit}录制的{t['series']}教学内容：{ep_desc}。{t['about']}")
            d.update(title=title, summary=summary, series="",
                     presenters=[t["presenters"][0], "林助教"],
                     keywords=list(t["keywords"][:3]))
            add(d, t["key"] + "_rec", i)
    for s in SINGLES:
        d = common(s, s["unit"])
        d["learners"] = d["clicks"] // 3
        d.update(title=s["title"], summary=s["summary"], series=s["series"],
                 presenters=s["presenters"], keywords=s["keywords"])
        add(d, s["key"])
    # Filler so the catalog exceeds 300 and queries meet realistic noise: short notices and
    # lectures on everyday topics, each distinct.
    fillers = [
        ("社区教育", "社区生活-邻里文化", "邻里节活动回顾：一起包饺子", "社区邻里节上居民一起包饺子、写春联，分享邻里互助的温暖故事。", ["邻里节", "社区文化"]),
        ("社区教育", "社区生活-邻里文化", "楼道文化墙设计分享", "介绍居民自发设计楼道文化墙的过程与经验。", ["楼道文化", "社区营造"]),
        ("社区教育", "社区生活-文明礼仪", "文明养犬从我做起", "讲解文明养犬的规定：牵绳出行、及时清理和疫苗接种。", ["文明养犬", "文明礼仪"]),
        ("社区教育", "社区生活-文明礼仪", "公共场所礼仪常识", "介绍乘车、就餐、观演等公共场所的文明礼仪。", ["礼仪", "文明"]),
        ("老年教育", "休闲生活-园艺", "阳台种菜小窍门", "教大家在阳台上用花盆种小青菜、番茄和香葱，享受种植乐趣。", ["园艺", "阳台种菜"]),
        ("老年教育", "休闲生活-园艺", "多肉植物的养护", "讲解多肉植物的浇水、光照与繁殖方法。", ["多肉", "园艺"]),
        ("老年教育", "休闲生活-旅游", "老年人出游安全提示", "出游前的健康评估、行程安排与防跌倒注意事项。", ["旅游", "出游安全"]),
        ("老年教育", "休闲生活-棋牌", "象棋开局入门", "讲解象棋常见开局：中炮、屏风马与飞相局。", ["象棋", "棋类"]),
        ("老年教育", "休闲生活-棋牌", "围棋死活基础", "讲解围棋基本死活形状与做眼技巧。", ["围棋", "棋类"]),
        ("老年教育", "文化艺术-文学", "唐诗名篇赏读", "赏读李白、杜甫、王维的名篇，体会唐诗的意境之美。", ["唐诗", "古诗词"]),
        ("老年教育", "文化艺术-文学", "宋词里的四季", "从宋词中的春夏秋冬谈词的意境与格律。", ["宋词", "古诗词"]),
        ("老年教育", "文化艺术-文学", "如何写好回忆录", "指导老年人整理人生经历，写作家庭回忆录。", ["写作", "回忆录"]),
        ("社区教育", "传统文化-传统节日", "端午节的习俗", "介绍端午节赛龙舟、包粽子、挂艾草等传统习俗。", ["端午节", "传统节日"]),
        ("社区教育", "传统文化-传统节日", "中秋节与月饼文化", "讲述中秋节的由来与各地月饼的不同风味。", ["中秋节", "传统节日"]),
        ("社区教育", "传统文化-传统节日", "春节年俗知多少", "介绍扫尘、贴春联、守岁和拜年等春节年俗。", ["春节", "年俗"]),
        ("社区教育", "传统文化-非物质文化遗产-手工艺", "竹编技艺体验课", "跟随示例手艺人学习竹编的起底、编织与收口。", ["竹编", "非遗", "手工艺"]),
        ("社区教育", "传统文化-非物质文化遗产-手工艺", "扎染的基本技法", "学习捆扎、浸染与晾晒，完成一块扎染方巾。", ["扎染", "非遗"]),
        ("社区教育", "科学文化-生活科普", "家庭用电安全小常识", "讲解插线板使用、电器老化与防触电常识。", ["用电安全", "科普"]),
        ("社区教育", "科学文化-生活科普", "食品安全与冰箱储存", "生熟分开、冷藏冷冻的正确方法，防止食物中毒。", ["食品安全", "科普"]),
        ("社区教育", "科学文化-生活科普", "天气预报怎么看", "读懂降水概率、空气质量指数和预警信号。", ["天气", "气象", "科普"]),
        ("社区教育", "科学文化-生活科普", "认识二十四节气", "介绍二十四节气的由来、物候与农事。", ["二十四节气", "传统文化"]),
        ("非学历教育培训", "职业技能-养老护理", "养老护理员：协助老人进食", "讲解协助进食的体位、速度与误吸的预防。", ["养老护理", "护理员"]),
        ("非学历教育培训", "职业技能-养老护理", "养老护理员：压疮预防", "定时翻身、皮肤观察与减压用具的使用。", ["养老护理", "压疮"]),
        ("非学历教育培训", "职业技能-美容美发", "基础理发技法", "讲解剪发工具、分区与基本修剪技法。", ["美发", "理发"]),
        ("非学历教育培训", "职业技能-汽车维修", "汽车日常保养", "机油、轮胎、刹车片的检查与更换周期。", ["汽车维修", "保养"]),
        ("非学历教育培训", "职业技能-汽车维修", "新能源汽车电池维护", "讲解动力电池的充电习惯与安全检查。", ["新能源汽车", "电池"]),
        ("非学历教育培训", "职业技能-创业指导", "小微企业创业指南", "从商业计划到工商登记，讲解小微企业创业的基本流程。", ["创业", "小微企业"]),
        ("非学历教育培训", "职业技能-创业指导", "个体工商户税务常识", "介绍个体工商户的纳税申报与发票管理。", ["税务", "个体工商户"]),
        ("学历继续教育", "学历课程-经济管理-管理学", "管理学原理：计划与决策", "讲授计划的类型与决策的过程与方法。", ["管理学", "决策"]),
        ("学历继续教育", "学历课程-经济管理-管理学", "管理学原理：组织与领导", "讲授组织结构设计与领导理论。", ["管理学", "领导力"]),
        ("学历继续教育", "学历课程-经济管理-市场营销", "市场营销学：消费者行为分析", "讲授消费者购买决策过程与影响因素。", ["市场营销", "消费者行为"]),
        ("学历继续教育", "学历课程-公共基础-思想道德与法治", "思想道德与法治：人生观", "讲授正确的人生观与人生价值。", ["思想道德", "法治"]),
        ("学历继续教育", "学历课程-计算机-数据库", "数据库原理：关系模型与SQL", "讲授关系模型、SQL查询与数据库设计范式。", ["数据库", "SQL"]),
        ("学历继续教育", "学历课程-计算机-计算机网络", "计算机网络：TCP/IP协议", "讲授网络分层模型与TCP/IP协议族。", ["计算机网络", "TCP/IP"]),
        ("学历继续教育", "学历课程-医药卫生-药学", "药理学：抗生素的合理使用", "讲授抗菌药物的分类与合理使用原则。", ["药理学", "抗生素"]),
        ("学历继续教育", "学历课程-教育学-学前教育", "学前儿童游戏指导", "讲授幼儿园游戏活动的设计与指导。", ["学前教育", "游戏"]),
        ("老年教育", "健康养生-运动健身", "老年人居家健身操", "一套在家就能做的椅子健身操，锻炼肌肉力量与关节灵活性。", ["健身操", "居家锻炼"]),
        ("老年教育", "健康养生-运动健身", "健步走的正确姿势", "讲解健步走的姿势、速度与运动量控制。", ["健步走", "运动健身"]),
        ("老年教育", "健康养生-运动健身", "门球入门", "介绍门球规则、击球技术与团队配合。", ["门球", "运动"]),
        ("老年教育", "健康养生-五官保健", "老年人护眼常识", "白内障、青光眼的早期信号与日常护眼方法。", ["护眼", "白内障"]),
        ("老年教育", "健康养生-五官保健", "听力下降怎么办", "老年性耳聋的识别与助听器的选配。", ["听力", "助听器"]),
        ("老年教育", "健康养生-五官保健", "口腔健康与假牙护理", "讲解老年人口腔清洁与活动假牙的护理。", ["口腔健康", "假牙"]),
        ("社区教育", "家庭教育-家庭理财", "家庭理财入门", "讲解家庭预算、储蓄与稳健理财的基本原则。", ["理财", "家庭财务"]),
        ("社区教育", "家庭教育-家庭理财", "认识养老金与医保", "讲解基本养老保险与医疗保险的待遇与报销。", ["养老金", "医保"]),
        ("社区教育", "家庭教育-隔代教育", "祖辈如何讲好睡前故事", "教祖辈为孙辈挑选绘本、讲好睡前故事。", ["绘本", "隔代教育"]),
        ("社区教育", "心理健康-人际关系", "和家人好好说话", "家庭沟通中的非暴力表达方法。", ["沟通", "家庭关系"]),
        ("老年教育", "数字生活-网络安全", "个人信息保护小课堂", "讲解如何保护身份证号、手机号等个人信息，防止信息泄露。", ["个人信息", "网络安全"]),
        ("老年教育", "数字生活-短视频", "用手机剪辑短视频", "学习用手机剪辑软件给视频配音乐、加字幕。", ["短视频", "剪辑"]),
        ("老年教育", "数字生活-短视频", "老年人如何安全刷短视频", "识别短视频中的虚假广告与直播带货陷阱。", ["短视频", "网络安全"]),
        ("社区教育", "安全教育-交通安全", "电动自行车安全骑行", "佩戴头盔、不逆行不闯红灯，安全骑行守则。", ["交通安全", "电动自行车"]),
        ("社区教育", "安全教育-交通安全", "老年人过马路安全", "讲解老年人出行过马路的注意事项。", ["交通安全", "出行"]),
        ("社区教育", "安全教育-防灾减灾", "地震来了怎么办", "家庭防震准备与地震时的避险方法。", ["防灾减灾", "地震"]),
        ("社区教育", "安全教育-防灾减灾", "暴雨洪涝的防范", "暴雨预警信号与城市内涝的避险。", ["防灾减灾", "暴雨"]),
    ]
    presenters_pool = ["欧阳示例", "司马演示", "上官样本", "诸葛虚构", "东方假名", "皇甫范例",
                       "令狐测试", "慕容模拟"]
    for i, (domain, category, title, summary, kws) in enumerate(fillers):
        t = dict(domain=domain, category=category, type="A01" if i % 4 else "A02")
        d = common(t, i % len(UNITS))
        d["learners"] = d["clicks"] // 4
        d.update(title=title, summary=summary, series="",
                 presenters=[presenters_pool[i % len(presenters_pool)]], keywords=kws)
        add(d, "filler_" + str(i))
    return docs, by_key


def judge(by_key):
    """Queries with graded relevance, stated as which resources answer them."""

    def ids(key, grade, episodes=None):
        # A series' re-recordings by other units ("<key>_rec") answer the same queries.
        return {doc_id: grade for k in (key, key + "_rec") for doc_id, ep, _ in by_key.get(k, [])
                if episodes is None or ep in episodes}

    def merge(*parts):
        out = {}
        for p in parts:
            for k, v in p.items():
                out[k] = max(out.get(k, 0), v)
        return out

    def title_has(key, word, grade):
        return {doc_id: grade for doc_id, _, d in by_key.get(key, []) if word in d["title"]}

    q = []

    def add(text, rel, note):
        q.append(dict(q=text, note=note,
                      relevant=[dict(id=k, grade=v) for k, v in sorted(rel.items())]))

    add("太极", merge(ids("taiji", 3), ids("taiji_rec", 3), ids("single_taiji_health", 3),
                     ids("taiji_fan", 2), title_has("photo", "太极", 1)), "2-char, core senior topic")
    add("太极拳", merge(ids("taiji", 3), ids("taiji_rec", 3), ids("single_taiji_health", 3),
                      ids("taiji_fan", 1), title_has("photo", "太极", 1)), "3-char")
    add("養生", merge(ids("tcm", 3), ids("single_taiji_health", 3), ids("single_calligraphy_health", 3),
                     ids("baduanjin", 2), ids("tcm_rec", 3), ids("nutrition", 1)), "Traditional 2-char")
    add("养生", merge(ids("tcm", 3), ids("single_taiji_health", 3), ids("single_calligraphy_health", 3),
                     ids("baduanjin", 2), ids("tcm_rec", 3), ids("nutrition", 1)), "Simplified 2-char")
    add("书法", merge(ids("calligraphy", 3), ids("calligraphy_rec", 3), ids("single_calligraphy_health", 3),
                     ids("hardpen", 2)), "2-char")
    add("書法", merge(ids("calligraphy", 3), ids("calligraphy_rec", 3), ids("single_calligraphy_health", 3),
                     ids("hardpen", 2)), "Traditional 2-char")
    add("電腦", merge(ids("computer", 3), ids("computer_rec", 3), ids("single_computer_trad", 3)),
        "Traditional; one doc itself in Traditional")
    add("电脑入门", merge(ids("computer", 3), ids("computer_rec", 3), ids("single_computer_trad", 2)),
        "Simplified phrase")
    add("八段锦", merge(ids("baduanjin", 3), ids("baduanjin_rec", 3)), "3-char name")
    add("智能手机", merge(ids("smartphone", 3), ids("smartphone_rec", 3), ids("single_phone_fraud", 2)),
        "category word")
    add("老年人怎么用手机挂号看病", merge(ids("smartphone", 3, {4}), ids("smartphone", 1)),
        "long natural phrase")
    add("手机 智能 老年人", merge(ids("smartphone", 3), ids("smartphone_rec", 3), ids("single_phone_fraud", 2)),
        "different word order")
    add("防诈骗", merge(ids("antifraud", 3), ids("antifraud_rec", 3), ids("single_phone_fraud", 3)),
        "3-char")
    add("如何识别保健品推销骗局", merge(ids("antifraud", 3, {2}), ids("antifraud", 1)), "long phrase")
    add("张演示", merge(ids("taiji", 3), ids("taiji_rec", 3), ids("single_taiji_health", 3)),
        "presenter name")
    add("卫样例", merge(ids("aviation_engine", 3), ids("aviation_flight", 3), ids("single_aviation_history", 3)),
        "presenter name")
    add("航空发动机", merge(ids("aviation_engine", 3), ids("single_aviation_history", 2)), "deep category word")
    add("航空知识", merge(ids("aviation_engine", 3), ids("aviation_flight", 3), ids("single_aviation_history", 3)),
        "category level name")
    add("涡扇发动机工作原理", merge(ids("aviation_engine", 3, {2}), ids("aviation_engine", 1)),
        "specific long query")
    add("心肺复苏", merge(ids("firstaid", 3, {1}), ids("firstaid_rec", 3, {1}), ids("firstaid", 2),
                      ids("single_first_aid_elderly", 2)), "4-char term")
    add("急救", merge(ids("firstaid", 3), ids("firstaid_rec", 3), ids("single_first_aid_elderly", 3)),
        "2-char")
    add("垃圾分类", merge(ids("garbage", 3), ids("single_garbage_kids", 3)), "4-char")
    add("民法典继承", merge(ids("civil_code", 3, {1}), ids("civil_code", 1), ids("civil_code_rec", 3, {1})),
        "compound without space")
    add("遗嘱", merge(ids("civil_code", 3, {1}), ids("civil_code_rec", 3, {1})), "2-char specific")
    add("粤剧", ids("yueju_trad", 3), "Simplified query, Traditional documents")
    add("越剧", ids("yueju_opera", 3), "must not be confused with 粤剧")
    add("Python", ids("programming", 3), "Latin word, mixed-case")
    add("python数据分析", merge(ids("programming", 3, {5}), ids("programming", 1)), "Latin + CJK")
    add("Excel函数", merge(ids("excel", 3, {1}), ids("excel", 1)), "Latin + CJK")
    add("高等数学", merge(ids("math", 3), ids("math_rec", 3)), "course name")
    add("导数", merge(ids("math", 3, {2}), ids("math_rec", 3, {2}), ids("math", 1, {3})), "2-char term")
    add("会计分录", merge(ids("accounting", 3, {2}), ids("accounting", 1)), "term")
    add("低压电工", merge(ids("electrician", 3), ids("electrician_rec", 3)), "vocational")
    add("直播带货", merge(ids("ecommerce", 3), ids("single_phone_fraud", 0)), "vocational")
    add("新生儿护理", merge(ids("housekeeping", 3, {2}), ids("housekeeping", 1)), "specific")
    add("花鸟画", merge(ids("painting", 3), ids("painting_rec", 3)), "category")
    add("国画梅花", merge(ids("painting", 3, {2}), ids("painting", 1), ids("painting_rec", 1)), "two concepts")
    add("老年合唱发声", merge(ids("chorus", 3), ids("chorus_rec", 3)), "phrase")
    add("剪纸", ids("papercut", 3), "2-char")
    add("青春期孩子沟通", merge(ids("parenting", 3, {2}), ids("parenting", 1), ids("parenting_rec", 1)),
        "phrase")
    add("高血压饮食", merge(ids("nutrition", 3, {2}), ids("elderly_care", 2, {1}), ids("nutrition", 1)),
        "crosses two series")
    add("灭火器", merge(ids("fire", 3, {2}), ids("fire", 1)), "3-char")
    add("量子纠缠实验", {}, "nothing in the catalog")
    add("潜水艇驾驶", {}, "nothing in the catalog")
    return q


def main():
    docs, by_key = build_catalog()
    queries = judge(by_key)
    # Drop zero grades used only to document near misses.
    for qq in queries:
        qq["relevant"] = [r for r in qq["relevant"] if r["grade"] > 0]
    with open(os.path.join(HERE, "catalog.json"), "w", encoding="utf-8") as f:
        json.dump(docs, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(HERE, "queries.json"), "w", encoding="utf-8") as f:
        json.dump(queries, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(docs)} resources, {len(queries)} queries")


if __name__ == "__main__":
    main()
