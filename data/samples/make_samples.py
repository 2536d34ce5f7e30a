"""Authored sample reports: definitions, text renderings and expected.json.

Run from the repo root:  python data/samples/make_samples.py
It writes the .txt samples and expected.json, then (if python-docx / reportlab are importable) the
binary samples through make_binary_samples.py.

All agencies, places, people, numbers and prose below are invented for this project. Nothing is
copied from real reports or web pages; the style follows the published 2019/2021 report formats.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from samplekit import Sample, build_t2, build_t3, build_t4  # noqa: E402

SAMPLES: list[Sample] = []


def add(s: Sample) -> Sample:
    SAMPLES.append(s)
    return s


STD_INTRO_2021 = (
    "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发"
    "〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求，"
)

# =============================================================================================
# s01  county government, 2023, pipe one cell per line, page boilerplate, report repeated twice
#      clean: no defects, specific section 五
# =============================================================================================
s01_t3 = build_t3(
    "2021",
    new={"natural_person": 38, "commercial": 5, "legal_service": 2, "other_org": 1},
    carried={"natural_person": 3},
    results={
        "disclosed": {"natural_person": 15, "commercial": 2, "legal_service": 1},
        "partially_disclosed": {"natural_person": 4, "commercial": 1},
        "withheld_third_party": {"natural_person": 1},
        "withheld_process_info": {"natural_person": 2},
        "unable_not_held": {"natural_person": 9, "commercial": 1, "other_org": 1},
        "unable_unclear": {"natural_person": 1},
        "declined_petition": {"natural_person": 3},
        "declined_duplicate": {"natural_person": 2},
        "other_no_correction": {"natural_person": 1},
    },
)
add(Sample(
    file="s01_yunxi_county_gov_2023.txt",
    agency="云溪县人民政府", level="县", year=2023, fmt="2021", layout="pipe_cell",
    published_on="2024-03-20", signed_on="2024-03-18",
    page_top=(
        "首页 > 政务公开 > 法定主动公开内容 > 政府信息公开年报\n"
        "云溪县人民政府2023年政府信息公开工作年度报告\n"
        "发布时间：2024-03-20 16:05　　来源：县政府办公室　　浏览次数：1268\n"
        "【字体：大 中 小】　分享到："
    ),
    between_copies=(
        "扫一扫在手机上查看当前页面\n【打印正文】　【关闭窗口】\n"
        "主办单位：云溪县人民政府办公室　承办单位：云溪县政务服务和大数据中心\n"
        "网站标识码：4310250001　湘ICP备12003456号-1　湘公网安备 43102502000123号\n"
        "（打印预览）"
    ),
    page_bottom=(
        "相关链接：国务院办公厅 | 省人民政府 | 市人民政府\n"
        "主办单位：云溪县人民政府办公室　承办单位：云溪县政务服务和大数据中心\n"
        "网站标识码：4310250001　湘ICP备12003456号-1\n"
        "建议使用1920×1080分辨率浏览本网站"
    ),
    repeat=2,
    title="云溪县人民政府2023年政府信息公开工作年度报告",
    intro=STD_INTRO_2021 + (
        "云溪县人民政府办公室编制了本报告。本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六个部分组成。"
        "报告中所列数据的统计期限为2023年1月1日至2023年12月31日。本报告电子版可在云溪县人民政府门户网站"
        "“政府信息公开”专栏查阅和下载。如对本报告有疑问，请与云溪县人民政府办公室政务公开股联系"
        "（地址：云溪县文昌路88号县行政中心3楼，邮编：414300，电话：0730-6723115）。"
    ),
    bodies={
        1: (
            "2023年，云溪县坚持以公开促落实、以公开促规范、以公开促服务，围绕县委、县政府中心工作，扎实做好政府信息公开各项工作。\n"
            "（一）主动公开。全年通过县政府门户网站主动公开政府信息4362条，其中政策文件217条、政策解读31篇、财政预决算信息96条、"
            "重大建设项目信息58条；通过“云溪发布”微信公众号推送政务信息1184条。县政府常务会议召开后3个工作日内公开会议信息，"
            "全年公开常务会议信息24期。\n"
            "（二）依申请公开。全年共收到政府信息公开申请46件，较上年增加9件，其中自然人申请38件、法人或其他组织申请8件；"
            "加上上年结转3件，全年办结44件，结转下年度继续办理5件。申请内容主要集中在征地拆迁补偿、不动产登记和义务教育招生等方面。\n"
            "（三）政府信息管理。开展行政规范性文件清理，全年制发行政规范性文件6件，废止2件，现行有效41件，目录在门户网站"
            "“规范性文件”栏目统一公开。落实公开前保密审查，全年审查拟公开信息4362条，撤回修改涉及个人隐私的信息11条。\n"
            "（四）平台建设。完成政府门户网站集约化平台迁移，整合县直部门和乡镇子站23个；新设“惠企政策直通车”专栏，"
            "集中发布涉企政策87条。在县政务服务中心和13个乡镇便民服务中心设置政府信息公开查阅点。\n"
            "（五）监督保障。将政务公开纳入县直单位绩效考核，权重3分；开展季度网站巡查4次，印发通报4期，督促整改问题63个；"
            "组织政务公开业务培训2次，培训186人次。全年未发生因政务公开工作不到位被责任追究的情况。"
        ),
        4: "2023年，因政府信息公开工作被申请行政复议3件，其中维持2件、纠正1件；被提起行政诉讼1件，法院判决维持。",
        5: (
            "（一）存在的主要问题\n"
            "一是部分单位栏目更新不及时。第三季度检查发现7个县直单位和乡镇的“财政资金”栏目超过3个月未更新。"
            "二是政策解读形式单一。全年发布的31篇解读中，图解、视频等形式仅4篇，解读多为文件内容的复述。"
            "三是依申请公开答复文书不够规范。年内1件行政复议被纠正，原因是告知书未载明救济途径和期限。\n"
            "（二）改进情况\n"
            "一是建立栏目更新“月提醒、季通报”机制，自10月起每月5日前向各单位推送未更新栏目清单，年底前7个单位全部完成整改。"
            "二是印发《云溪县政策解读工作规范》，明确以县政府及县政府办公室名义印发的政策文件同步制作图解，第四季度新增图解解读9篇、"
            "视频解读2篇。三是修订依申请公开答复文书模板12类，统一载明救济途径和期限，11月组织全县52名政务公开工作人员开展专题培训。"
            "2024年，我县将把栏目更新情况纳入季度通报，力争全年政策解读中图解、视频等形式占比达到30%以上。"
        ),
        6: (
            "（一）信息处理费收取情况。根据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），本年度未向申请人收取信息处理费。\n"
            "（二）建议提案办理结果公开情况。全年承办县人大代表建议112件、县政协委员提案146件，均按期办复，答复全文公开258件。\n"
            "（三）年度政务公开工作要点落实情况。对照省、市年度政务公开工作要点，细化任务41项，已全部完成。"
        ),
    },
    signature="云溪县人民政府办公室\n2024年3月18日",
    t2=build_t2("2021", {"normative_documents": [6, 2, 41], "licensing": [1326], "penalty": [587],
                         "coercion": [23], "fees": [412.56]}),
    t3=s01_t3,
    t4=build_t4(review=(2, 1, 0, 0), direct=(1, 0, 0, 0)),
    text_facts={"received": 46, "carried_over": 3, "resolved": 44, "carried_forward": 5,
                "review": 3, "litigation": 1, "normative_made": 6},
    section5="clean_specific",
    defects=[],
    notes="Page wrapper (分享到, 扫一扫, ICP, footer) and the whole report printed twice (print preview copy).",
))

# =============================================================================================
# s02  township, 2024, cells run together; defect: 规章 reported by a township; vague section 五
# =============================================================================================
add(Sample(
    file="s02_shimenling_township_2024.txt",
    agency="石门岭镇人民政府", level="乡镇", year=2024, fmt="2021", layout="run_together",
    published_on="2025-01-16", signed_on="2025-01-10",
    page_top=(
        "当前位置：首页 > 信息公开 > 乡镇信息公开 > 石门岭镇\n\n"
        "2024年政府信息公开工作年度报告\n\n"
        "发布日期 2025-01-16 09:30:12\n"
    ),
    title="石门岭镇人民政府\n\n2024年政府信息公开工作年度报告\n",
    intro=(
        "本报告依据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号文件要求编制，内容包括总体情况、"
        "主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、"
        "其他需要报告的事项。统计期限为2024年1月1日至2024年12月31日。如对本报告有疑问，请与石门岭镇党政综合办公室联系"
        "（联系电话：0735-5812206）。\n"
    ),
    bodies={
        1: (
            "2024年，石门岭镇认真贯彻落实《中华人民共和国政府信息公开条例》，结合乡村振兴和基层治理工作实际，推进政务公开和村务公开。\n\n"
            "（一）主动公开情况\n\n"
            "依托县政府门户网站乡镇专栏公开政府信息126条，在镇政务公开栏和14个村级公开栏公开惠农补贴、低保救助、"
            "项目建设等信息318条。\n\n"
            "（二）依申请公开情况\n\n"
            "全年收到政府信息公开申请2件，均在法定期限内答复。\n\n"
            "（三）政府信息管理情况\n\n"
            "落实信息发布“一审二核三签发”制度，公开前对涉及个人身份证号码、银行账号等内容进行去标识化处理。\n\n"
            "（四）政府信息公开平台建设情况\n\n"
            "更新镇便民服务中心政务公开查阅点设施，安排专人负责乡镇专栏日常维护。\n\n"
            "（五）监督保障情况\n\n"
            "将村务公开情况纳入村级年度考评，全年开展公开栏检查2次。\n"
        ),
        5: (
            "（一）存在问题\n\n"
            "一是对政务公开工作的重视程度有待进一步提高，主动公开意识还不够强。二是信息公开的及时性、全面性还有待加强。"
            "三是工作人员业务能力还有待进一步提升。\n\n"
            "（二）改进情况\n\n"
            "下一步，我镇将进一步提高思想认识，加强组织领导，强化业务学习，不断提升政务公开工作水平，推动政务公开工作再上新台阶。\n"
        ),
        6: "本年度本机关未收取政府信息公开信息处理费。无其他需要报告的事项。\n",
    },
    signature=" " * 60 + "石门岭镇人民政府\n\n" + " " * 60 + "2025年1月10日",
    t2=build_t2("2021", {"regulations": [1, 0, 1], "penalty": [12]}),
    t3=build_t3("2021", new={"natural_person": 2},
                results={"disclosed": {"natural_person": 1}, "unable_not_held": {"natural_person": 1}}),
    t4=build_t4(),
    expected_fail=["t2.regulations_authority"],
    text_facts={"received": 2},
    section5="vague_boilerplate",
    defects=[
        "表二第二十条第（一）项“规章”填报制发1件、现行有效1件：乡镇人民政府无规章制定权（规章101，连写）。",
        "第五部分全部为套话：问题与措施均无具体事实、数量、时限。",
    ],
    notes="Table cells run together with no separator (规章101, 行政处罚12, 0000000). Agency name on its own line above the title.",
))

# =============================================================================================
# s03  street office, 2022, pipe rows one row per line (half-width punctuation);
#      defect: table 3 结转下年度 printed 0 (identity fails), problems without remedies
# =============================================================================================
add(Sample(
    file="s03_guixiang_street_2022.txt",
    agency="临江市江北区桂香街道办事处", agency_aliases=["桂香街道办事处"], level="街道", year=2022, fmt="2021", layout="pipe_row", halfwidth=True,
    published_on="2023-01-12", signed_on="2023-01-10",
    page_top="分享到:\n桂香街道办事处2022年政府信息公开工作年度报告\n来源:桂香街道办事处 发布时间:2023-01-12",
    page_bottom="扫一扫在手机上查看当前页面\n版权所有:临江市江北区人民政府 赣ICP备09004417号",
    title="临江市江北区桂香街道办事处2022年政府信息公开工作年度报告",
    intro=(
        "根据《中华人民共和国政府信息公开条例》(国务院令第711号)和国办公开办函〔2021〕30号要求,现公布临江市江北区桂香街道办事处"
        "2022年政府信息公开工作年度报告。本报告所列数据统计期限自2022年1月1日至2022年12月31日。"
        "如对本报告有疑问,请与桂香街道党政办公室联系(电话:0796-8231067)。"
    ),
    bodies={
        1: (
            "2022年,桂香街道以群众需求为导向,围绕社区治理、民生保障和疫情防控等工作推进政府信息公开。\n"
            "(一)主动公开。通过区政府门户网站街道专栏发布信息213条,通过“桂香之声”公众号发布信息406条,"
            "在8个社区公开栏公开低保、临时救助、高龄津贴等信息152条。\n"
            "(二)依申请公开。全年收到政府信息公开申请9件,上年结转1件,办结8件,申请内容主要涉及老旧小区改造和拆迁安置。\n"
            "(三)政府信息管理。建立街道信息发布审核台账,所有公开信息经科室负责人和分管领导两级审核后发布。\n"
            "(四)平台建设。在街道便民服务中心设置政务公开查阅点1个,配备查阅电脑2台。\n"
            "(五)监督保障。街道成立政务公开工作领导小组,由党工委副书记任组长,全年召开专题会议2次。"
        ),
        5: (
            "(一)存在的主要问题\n"
            "一是主动公开内容还不够全面,社区事务、惠民资金发放等群众关注的信息公开还不够细。"
            "二是部分栏目更新不及时,街道专栏“通知公告”栏目曾出现两个月未更新的情况。"
            "三是街道政务公开工作人员均为兼职,人员变动频繁,业务衔接不畅。\n"
            "(二)改进情况\n"
            "街道党工委、办事处高度重视政务公开工作,下一步将进一步提高政治站位,压实主体责任,确保政务公开工作取得实效。"
        ),
        6: "本年度街道未收取政府信息公开信息处理费。无其他需要报告的事项。",
    },
    signature="临江市江北区桂香街道办事处\n2023年1月10日",
    t2=build_t2("2021", {"penalty": [6]}),
    t3=build_t3("2021", new={"natural_person": 9}, carried={"natural_person": 1},
                results={"disclosed": {"natural_person": 5}, "unable_not_held": {"natural_person": 2},
                         "declined_petition": {"natural_person": 1}},
                overrides={("carried_forward", "natural_person"): 0, ("carried_forward", "total"): 0}),
    t4=build_t4(),
    expected_fail=["t3.identity.natural_person", "t3.identity.total"],
    text_facts={"received": 9, "carried_over": 1, "resolved": 8},
    section5="unmatched_problems",
    defects=[
        "表三“四、结转下年度继续办理”填0，应为2：9+1≠8+0（自然人列、总计列勾稽不平）。",
        "第五部分列出三个问题（内容不全面、更新不及时、人员兼职），改进情况只有一句表态，无对应措施。",
    ],
))

# =============================================================================================
# s04  county department, 2023, one cell per line with tabs; defects: published late
#      (2024-03-15, department deadline 1月31日), table 4 复议 total wrong
# =============================================================================================
add(Sample(
    file="s04_yunxi_market_regulation_2023.txt",
    agency="云溪县市场监督管理局", level="县级部门", year=2023, fmt="2021", layout="tab_cell", tab_pad=True,
    tab_wrap={"商业企业": "商业\n企业", "科研机构": "科研\n机构", "结果纠正": "结果\n纠正", "其他结果": "其他\n结果",
              "尚未审结": "尚未\n审结"},
    published_on="2024-03-15", signed_on="2024-03-12",
    page_top="云溪县市场监督管理局2023年政府信息公开工作年度报告\n发布机构：云溪县市场监督管理局　　发布日期：2024-03-15\n",
    title="云溪县市场监督管理局\n2023年政府信息公开工作年度报告\n",
    intro=(
        "本报告根据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号规定的格式编制，"
        "由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
        "存在的主要问题及改进情况、其他需要报告的事项组成。所列数据统计期限为2023年1月1日至2023年12月31日。"
        "本报告电子版可在云溪县人民政府门户网站本局专栏下载。如有疑问，请与云溪县市场监督管理局办公室联系"
        "（地址：云溪县建设南路15号，电话：0730-6729410）。"
    ),
    bodies={
        1: (
            "2023年，我局围绕市场监管中心工作，突出涉企信息、食品药品安全和执法信息公开，依法保障市场主体和群众的知情权。\n"
            "（一）主动公开情况\n"
            "全年主动公开政府信息1573条。公开行政许可决定2145件、行政处罚决定318件；在“双随机、一公开”平台公示抽查结果"
            "1126户次；公开食品安全监督抽检信息26期，涉及样品1940批次。\n"
            "（二）依申请公开情况\n"
            "全年共收到政府信息公开申请11件，其中自然人7件、企业4件。已办结9件，另有2件因申请人补正材料结转至2024年办理。\n"
            "（三）政府信息管理情况\n"
            "制发行政规范性文件1件，现行有效行政规范性文件3件，均在县政府门户网站统一公开。行政处罚决定书公开前逐件审核，"
            "删除自然人住址、身份证号码等个人信息。\n"
            "（四）平台建设情况\n"
            "在县政府门户网站本局专栏增设“抽检信息”“消费警示”两个子栏目；在局机关一楼设置政府信息查阅点。\n"
            "（五）监督保障情况\n"
            "局党组每半年听取一次政务公开工作汇报，将公开工作纳入股室和基层所年度考核。"
        ),
        4: "2023年，我局政府信息公开行政复议、行政诉讼情况如下：",
        5: (
            "（一）存在的主要问题\n"
            "一是“双随机”抽查结果公示滞后，上半年抽查结果平均在检查结束后12个工作日才公示，超过规定的5个工作日。"
            "二是基层市场监管所公开工作薄弱，9个基层所中有4个全年未报送公开信息。\n"
            "（二）改进情况\n"
            "一是自8月起将抽查结果录入与公示合并为同一流程，下半年平均公示时间缩短至3个工作日。"
            "二是明确每个基层所1名兼职信息员，实行每月报送、季度通报，第四季度9个基层所均已报送信息。"
            "2024年将进一步把公示时限纳入股室考核，确保抽查结果5个工作日内公示率达到100%。"
        ),
        6: (
            "本年度我局未收取政府信息公开信息处理费。\n"
            "全年承办县人大代表建议6件、政协提案9件，均已按期办结并公开答复。"
        ),
    },
    signature="云溪县市场监督管理局\n2024年3月12日",
    t2=build_t2("2021", {"normative_documents": [1, 0, 3], "licensing": [2145], "penalty": [318], "coercion": [46]}),
    t3=build_t3("2021", new={"natural_person": 7, "commercial": 4},
                results={"disclosed": {"natural_person": 3, "commercial": 2},
                         "partially_disclosed": {"commercial": 1},
                         "unable_not_held": {"natural_person": 2},
                         "declined_petition": {"natural_person": 1}}),
    t4=build_t4(review=(1, 1, 0, 0), overrides={("review", "total"): 3}),
    expected_fail=["timeliness", "t4.total.review"],
    text_facts={"received": 11, "resolved": 9, "normative_made": 1, "normative_in_force": 3},
    section5="clean_specific",
    defects=[
        "县级政府部门年报应于1月31日前公布，本报告2024年3月15日才发布（落款2024年3月12日）。",
        "表四行政复议：维持1+纠正1+其他0+尚未审结0=2，总计却填3。",
    ],
    notes="Tab-prefixed cells, one per line, blank line between rows; numbers padded with spaces; header labels broken over two lines.",
))

# =============================================================================================
# s05  provincial department, 2021, HTML with <table> rowspan/colspan (built by make_binary_samples)
#      clean, specific section 五
# =============================================================================================
add(Sample(
    file="s05_lanjiang_transport_dept_2021.html", kind="html",
    agency="澜江省交通运输厅", level="省级部门", year=2021, fmt="2021", layout="html",
    published_on="2022-01-26", signed_on="2022-01-24",
    title="澜江省交通运输厅2021年政府信息公开工作年度报告",
    intro=STD_INTRO_2021 + (
        "现公布澜江省交通运输厅2021年政府信息公开工作年度报告。本报告所列数据统计期限为2021年1月1日至2021年12月31日。"
        "本报告电子版可在澜江省交通运输厅门户网站“政府信息公开”专栏下载。如对本报告有疑问，请与省交通运输厅办公室联系"
        "（地址：澜江省江城市滨湖大道1200号，邮编：650100，电话：0871-65093120）。"
    ),
    bodies={
        1: (
            "2021年，省交通运输厅认真贯彻《条例》，围绕交通强省建设，深化重点领域信息公开，政府信息公开工作质量进一步提升。\n"
            "（一）主动公开。全年在厅门户网站主动公开政府信息3917条，其中重大建设项目批准和实施信息214条、"
            "公路水路建设市场信用信息482条、道路运输行业统计信息36期；发布政策解读24篇，其中图解9篇、视频解读3篇。\n"
            "（二）依申请公开。全年新收政府信息公开申请125件，上年结转7件；办结123件，结转下年度9件。"
            "申请主要涉及高速公路建设征地、道路运输经营许可和交通事故路段信息。\n"
            "（三）政府信息管理。全年制发行政规范性文件3件，废止5件，现行有效27件；完成厅政府信息公开目录动态调整，"
            "新增重点领域公开事项11项。\n"
            "（四）平台建设。上线“澜江交通”政务服务旗舰店，实现道路运输证件查询等23项服务掌上办理；"
            "厅门户网站“重大项目”专栏按项目建立全周期信息档案62个。\n"
            "（五）监督保障。厅政务公开领导小组召开会议2次，对12个处室和直属单位开展公开工作考核；组织培训3期，培训158人次。"
        ),
        4: "全年因政府信息公开被申请行政复议7件，被提起行政诉讼4件，具体情况如下：",
        5: (
            "（一）存在的主要问题\n"
            "一是重大建设项目信息公开不够完整，抽查的62个项目中有15个缺少竣工验收信息。"
            "二是依申请公开答复周期偏长，全年平均答复时间为14个工作日，有3件申请延期答复。"
            "三是直属单位公开工作不平衡，5个直属单位网站专栏年内更新少于10条。\n"
            "（二）改进情况\n"
            "一是10月起对重大项目信息实行“一项目一档案”管理，由项目处室在竣工验收后10个工作日内补录，截至年底15个项目已全部补齐。"
            "二是修订《厅政府信息依申请公开办理规程》，将内部会签时限压缩至5个工作日，第四季度平均答复时间降至9个工作日。"
            "三是将直属单位专栏更新情况纳入年度考核，11月对5个单位进行约谈并督促整改，12月5个单位平均更新信息21条。"
        ),
        6: (
            "（一）收费情况。根据国办函〔2020〕109号规定，本年度未收取政府信息公开信息处理费。\n"
            "（二）建议提案办理。全年办理省人大代表建议58件、省政协提案71件，答复全文公开124件，其余5件涉及国家秘密不予公开。"
        ),
    },
    signature="澜江省交通运输厅\n2022年1月24日",
    t2=build_t2("2021", {"normative_documents": [3, 5, 27], "licensing": [15874], "penalty": [2263],
                         "coercion": [105]}),
    t3=build_t3(
        "2021",
        new={"natural_person": 86, "commercial": 23, "research": 1, "public_interest": 2, "legal_service": 9,
             "other_org": 4},
        carried={"natural_person": 6, "legal_service": 1},
        results={
            "disclosed": {"natural_person": 31, "commercial": 10, "legal_service": 3},
            "partially_disclosed": {"natural_person": 6, "commercial": 2},
            "withheld_prohibited": {"natural_person": 1},
            "withheld_third_party": {"natural_person": 2, "commercial": 1},
            "withheld_internal_affairs": {"natural_person": 1},
            "withheld_process_info": {"natural_person": 3, "commercial": 1},
            "withheld_enforcement_files": {"natural_person": 1, "legal_service": 1},
            "withheld_query": {"natural_person": 2},
            "unable_not_held": {"natural_person": 25, "commercial": 6, "research": 1, "public_interest": 1,
                                "legal_service": 4, "other_org": 2},
            "unable_needs_creation": {"natural_person": 3, "commercial": 1},
            "unable_unclear": {"natural_person": 2},
            "declined_petition": {"natural_person": 4, "other_org": 1},
            "declined_duplicate": {"natural_person": 3},
            "declined_publications": {"natural_person": 1},
            "declined_confirmation": {"natural_person": 1},
            "other_no_correction": {"natural_person": 2},
            "other_other": {"natural_person": 1},
        },
    ),
    t4=build_t4(review=(4, 1, 1, 1), direct=(2, 0, 0, 1), after=(1, 0, 0, 0)),
    text_facts={"received": 125, "carried_over": 7, "resolved": 123, "carried_forward": 9,
                "review": 7, "litigation": 4},
    section5="clean_specific",
    notes="Real <table> markup with rowspan/colspan; page chrome (breadcrumb, 分享到, 扫一扫, ICP footer).",
))

# =============================================================================================
# s06  development zone, 2022, DOCX with merged cells; defects: no fee statement in 六,
#      text says 收到申请15件 but table says 12
# =============================================================================================
add(Sample(
    file="s06_qinglan_hitech_zone_2022.docx", kind="docx",
    agency="青岚高新技术产业开发区管理委员会", level="开发区", year=2022, fmt="2021", layout="docx",
    published_on=None, signed_on="2023-01-18",
    title="青岚高新技术产业开发区管理委员会\n2022年政府信息公开工作年度报告",
    intro=STD_INTRO_2021 + (
        "编制本报告。报告所列数据统计期限为2022年1月1日至2022年12月31日。如对本报告有疑问，"
        "请与青岚高新区管委会党政办公室联系（电话：0551-62870935）。"
    ),
    bodies={
        1: (
            "2022年，青岚高新区管委会围绕优化营商环境和产业发展，持续推进政府信息公开。\n"
            "（一）主动公开情况。全年在高新区门户网站公开政府信息1186条，其中惠企政策及解读93条、项目招商和土地出让信息47条、"
            "财政预决算信息12条。\n"
            "（二）依申请公开情况。全年共收到政府信息公开申请15件，均已在法定期限内答复，申请内容主要涉及企业扶持资金和土地征收。\n"
            "（三）政府信息管理情况。全年制发行政规范性文件2件，现行有效9件；对政策文件实行公开属性源头认定。\n"
            "（四）平台建设情况。改版高新区门户网站，新增“政策计算器”功能，企业可按行业、规模检索可申报政策。\n"
            "（五）监督保障情况。管委会将政务公开纳入各局办年度目标考核，组织培训1次。"
        ),
        5: (
            "（一）存在的问题。一是政策解读以文字为主，全年93条政策信息中仅有6条配发图解；"
            "二是部分局办信息报送不及时，个别招商项目信息在签约后1个月才公开。\n"
            "（二）改进情况。一是由党政办公室会同经济发展局制作政策图解模板，下半年新增图解12篇；"
            "二是建立招商项目信息签约后5个工作日内报送制度，第四季度所有签约项目均按时公开。"
        ),
        6: "2022年，高新区承办市人大代表建议3件、市政协提案5件，办理结果均已公开。",
    },
    signature="青岚高新技术产业开发区管理委员会\n2023年1月18日",
    t2=build_t2("2021", {"normative_documents": [2, 0, 9], "licensing": [356], "penalty": [14]}),
    t3=build_t3("2021", new={"natural_person": 10, "commercial": 2},
                results={"disclosed": {"natural_person": 6, "commercial": 1},
                         "partially_disclosed": {"natural_person": 1},
                         "unable_not_held": {"natural_person": 2, "commercial": 1},
                         "declined_duplicate": {"natural_person": 1}}),
    t4=build_t4(),
    expected_fail=["fee_statement", "text_table.received"],
    text_facts={"received": 15},
    section5="clean_specific",
    defects=[
        "第六部分未说明信息处理费收取情况（2021年起应说明）。",
        "正文称“全年共收到政府信息公开申请15件”，表三本年新收总计为12件。",
    ],
    notes="DOCX: paragraphs + three Word tables with merged (gridSpan / vMerge) cells.",
))

# =============================================================================================
# s07  city government, 2024, PDF with text layer and ruled tables; clean, specific 五;
#      规章 made by a districted-city government is legitimate (must not fail)
# =============================================================================================
add(Sample(
    file="s07_linjiang_city_gov_2024.pdf", kind="pdf",
    agency="临江市人民政府", level="市", year=2024, fmt="2021", layout="pdf",
    published_on=None, signed_on="2025-03-26",
    title="临江市人民政府2024年政府信息公开工作年度报告",
    intro=STD_INTRO_2021 + (
        "临江市人民政府办公室编制了本报告。报告所列数据统计期限为2024年1月1日至2024年12月31日。"
        "如对本报告有疑问，请与临江市人民政府办公室政务公开科联系（电话：0796-8225503）。"
    ),
    bodies={
        1: (
            "2024年，临江市坚持以人民为中心的发展思想，围绕稳增长、惠民生、优服务，全面推进政府信息公开标准化规范化。\n"
            "（一）主动公开。市政府门户网站全年公开政府信息6835条，发布政策解读88篇；召开新闻发布会32场。\n"
            "（二）依申请公开。全年新收政府信息公开申请64件，上年结转2件，办结63件，结转下年度3件。\n"
            "（三）政府信息管理。全年制定市政府规章1件，现行有效规章14件；制发行政规范性文件9件，废止4件，现行有效76件。\n"
            "（四）平台建设。完成市、县两级政府网站集约化改造，在市民中心设立政府信息公开综合查阅点。\n"
            "（五）监督保障。将政务公开纳入市对县区和市直部门绩效考核，开展第三方评估1次，通报问题37个，均已整改。"
        ),
        4: "全年市政府作为被申请人的政府信息公开行政复议2件，行政诉讼1件。",
        5: (
            "（一）存在的主要问题。一是县区政务公开工作不平衡，第三方评估中得分最低的两个县区与平均分相差11.5分；"
            "二是政策解读质量不高，88篇解读中有21篇仅摘录文件原文；三是政府信息公开目录更新滞后，"
            "有6个市直部门目录超过一年未调整。\n"
            "（二）改进情况。一是对得分最低的两个县区开展“一对一”指导，11月复评两县区平均提高8.2分；"
            "二是建立解读稿市政府办公室审核退改机制，第四季度退改解读稿9篇；三是12月底前督促6个部门完成公开目录调整并在门户网站发布。"
            "2025年将把县区评估排名纳入年度考核通报。"
        ),
        6: (
            "（一）本年度全市行政机关未收取政府信息公开信息处理费。\n"
            "（二）全年承办省、市人大代表建议和政协提案共486件，已全部办结，答复公开率100%。"
        ),
    },
    signature="临江市人民政府办公室\n2025年3月26日",
    t2=build_t2("2021", {"regulations": [1, 0, 14], "normative_documents": [9, 4, 76], "licensing": [8932],
                         "penalty": [1411], "coercion": [87], "fees": [2356.4]}),
    t3=build_t3(
        "2021",
        new={"natural_person": 51, "commercial": 8, "legal_service": 3, "other_org": 2},
        carried={"natural_person": 2},
        results={
            "disclosed": {"natural_person": 20, "commercial": 3, "legal_service": 1},
            "partially_disclosed": {"natural_person": 6, "commercial": 1},
            "withheld_third_party": {"natural_person": 2},
            "withheld_process_info": {"natural_person": 3, "commercial": 1},
            "unable_not_held": {"natural_person": 13, "commercial": 2, "legal_service": 2, "other_org": 1},
            "unable_unclear": {"natural_person": 2},
            "declined_petition": {"natural_person": 3, "other_org": 1},
            "declined_duplicate": {"natural_person": 1},
            "other_no_correction": {"natural_person": 1},
        },
    ),
    t4=build_t4(review=(1, 0, 0, 1), direct=(1, 0, 0, 0)),
    text_facts={"received": 64, "carried_over": 2, "resolved": 63, "carried_forward": 3,
                "review": 2, "litigation": 1},
    section5="clean_specific",
    notes="PDF built with reportlab (STSong-Light CID font, text layer), ruled tables with SPAN merges.",
))

# =============================================================================================
# s08  county department, 2020, 2019 trial format, GBK-encoded, pipe rows;
#      section 五 says there are no problems
# =============================================================================================
add(Sample(
    file="s08_baisha_education_2020_gbk.txt", encoding="gbk",
    agency="白沙县教育体育局", level="县级部门", year=2020, fmt="2019", layout="pipe_row",
    published_on="2021-01-27", signed_on="2021-01-25",
    page_top="白沙县教育体育局2020年政府信息公开工作年度报告\n发布时间：2021-01-27　字号：大 中 小",
    title="白沙县教育体育局2020年政府信息公开工作年度报告",
    intro=(
        "本报告根据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》"
        "（国办公开办函〔2019〕60号）要求编制。报告统计期限为2020年1月1日至2020年12月31日。"
        "如对本报告有疑问，请与白沙县教育体育局办公室联系（电话：0745-7621038）。"
    ),
    bodies={
        1: (
            "2020年，我局认真落实政府信息公开工作要求，重点做好招生入学、学生资助、疫情期间线上教学等信息公开。"
            "全年通过县政府门户网站公开信息392条，通过“白沙教育”公众号发布信息611条。"
            "全年收到政府信息公开申请3件，均已按时答复。"
        ),
        5: "2020年，我局政府信息公开工作总体运行平稳，经自查，未发现明显问题。下一步，我局将继续严格按照《条例》要求做好政府信息公开工作。",
        6: "无。",
    },
    titles={4: "政府信息公开行政复议、行政诉讼情况"},
    signature="白沙县教育体育局\n2021年1月25日",
    t2=build_t2("2019", {"normative_documents": [2, 2, 15], "licensing": [8, 0, 43], "other_services": [3, 1, 120],
                         "penalty": [2, 0, 0], "fees": [1, 0], "procurement": [14, 586.3]}),
    t3=build_t3("2019", new={"natural_person": 3},
                results={"disclosed": {"natural_person": 2}, "unable_not_held": {"natural_person": 1}}),
    t4=build_t4(),
    text_facts={"received": 3},
    section5="no_problems",
    defects=["第五部分称“未发现明显问题”，没有列出问题和改进措施。"],
    notes="GBK-encoded text file; 2019 trial format tables (本年新制作数量 / 上一年项目数量 / 政府集中采购).",
))

# =============================================================================================
# s09  district government, 2019, 2019 format, tab cells; defect: 予以公开 row total wrong
#      (row sum and the total column's results total fail); negative 本年增/减 is legitimate
# =============================================================================================
add(Sample(
    file="s09_dongyang_district_2019.txt",
    agency="东阳区人民政府", level="区", year=2019, fmt="2019", layout="tab_cell",
    published_on="2020-03-10", signed_on="2020-03-06",
    page_top="东阳区人民政府2019年政府信息公开工作年度报告\n索引号：11330700MB1G52019X/2020-00031　发布日期：2020-03-10\n",
    title="东阳区人民政府2019年政府信息公开工作年度报告",
    intro=(
        "本报告根据新修订的《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由东阳区人民政府办公室编制。"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
        "存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据的统计期限为2019年1月1日至2019年12月31日。"
        "如对本报告有疑问，请与东阳区人民政府办公室联系（电话：0579-86107725）。"
    ),
    bodies={
        1: (
            "2019年，东阳区认真贯彻新修订的《条例》，对照新旧条例变化调整工作流程，政府信息公开工作平稳过渡。\n"
            "（一）主动公开。区政府门户网站全年公开政府信息5214条，其中规范性文件5件、政策解读19篇、财政信息143条。\n"
            "（二）依申请公开。全年共受理政府信息公开申请27件，全部办结。\n"
            "（三）制度建设。按照新《条例》修订《东阳区政府信息依申请公开办理规程》，编制区政府信息公开指南和目录。\n"
            "（四）平台建设。区政府门户网站按新《条例》设置法定主动公开内容专栏，整合部门子站19个。"
        ),
        5: (
            "一是新旧《条例》衔接中，部分部门对公开范围把握不准，年内抽查发现3个部门将应主动公开的文件标注为不予公开。"
            "二是镇街公开工作力量薄弱，6个镇街均无专职人员。\n"
            "针对上述问题，区政府办公室一是于11月组织全区政务公开业务培训1次，逐个纠正3个部门的公开属性标注；"
            "二是2020年将推动各镇街明确1名政务公开专职人员，并开展镇街专栏季度检查。"
        ),
        6: "本年度未收取政府信息公开相关费用。无其他需要报告的事项。",
    },
    signature="东阳区人民政府办公室\n2020年3月6日",
    t2=build_t2("2019", {"normative_documents": [5, 5, 38], "licensing": [126, -2, 3528],
                         "other_services": [45, 3, 8764], "penalty": [98, 0, 1207], "coercion": [21, 0, 35],
                         "fees": [12, -1], "procurement": [63, 4215.7]}),
    t3=build_t3("2019", new={"natural_person": 24, "commercial": 3},
                results={"disclosed": {"natural_person": 12, "commercial": 3},
                         "partially_disclosed": {"natural_person": 2},
                         "withheld_third_party": {"natural_person": 1},
                         "unable_not_held": {"natural_person": 5},
                         "unable_needs_creation": {"natural_person": 1},
                         "declined_petition": {"natural_person": 2},
                         "other_processing": {"natural_person": 1}},
                overrides={("disclosed", "total"): 16}),
    t4=build_t4(review=(1, 0, 0, 0)),
    expected_fail=["t3.row_sum.disclosed", "t3.results_total.total"],
    text_facts={"handled": 27},
    section5="specific",
    defects=["表三“（一）予以公开”行：自然人12+商业企业3=15，总计填16（行合计错；总计列各项之和28≠（七）总计27）。"],
    notes="2019 trial format; 行政许可 本年增/减 = -2 and 行政事业性收费 本年增/减 = -1 are legitimate negative changes.",
))

# =============================================================================================
# s10  street office, 2020, 2019 format, pipe one cell per line; clean, specific 五
# =============================================================================================
add(Sample(
    file="s10_chengguan_street_2020.txt",
    agency="白沙县城关街道办事处", level="街道", year=2020, fmt="2019", layout="pipe_cell",
    published_on="2021-01-20", signed_on="2021-01-18",
    page_top="分享到：\n白沙县城关街道办事处2020年政府信息公开工作年度报告\n发布时间：2021-01-20 10:41　来源：城关街道",
    page_bottom="扫一扫在手机上查看当前页面\n主办：白沙县人民政府办公室　湘ICP备05011872号",
    title="白沙县城关街道办事处2020年政府信息公开工作年度报告",
    intro=(
        "根据《中华人民共和国政府信息公开条例》要求，现公布白沙县城关街道办事处2020年政府信息公开工作年度报告。"
        "本报告统计期限为2020年1月1日至2020年12月31日。如对本报告有疑问，请与城关街道党政办联系（电话：0745-7620185）。"
    ),
    bodies={
        1: (
            "2020年，城关街道围绕疫情防控、复工复产和民生保障推进政府信息公开。\n"
            "（一）主动公开。在县政府门户网站街道专栏公开信息187条，其中疫情防控信息64条、低保和临时救助信息38条；"
            "在11个社区公开栏张贴公开信息260余份。\n"
            "（二）依申请公开。全年收到政府信息公开申请4件，均已办结。\n"
            "（三）平台建设。在街道便民服务大厅设置政务公开查阅点，提供自助查询终端1台。\n"
            "（四）监督保障。将社区公开栏更新情况纳入社区年度考核，全年检查4次。"
        ),
        5: (
            "（一）存在问题\n"
            "一是社区公开栏更新不及时，第二季度检查时11个社区中有4个公开栏内容超过2个月未更新；"
            "二是低保等救助信息公开不够规范，有2次公示未对申请人身份证号码作去标识化处理。\n"
            "（二）改进情况\n"
            "一是7月起实行社区公开栏“月更新、季检查”，第四季度检查11个社区均按月更新；"
            "二是制定救助信息公示模板，明确身份证号码只显示前6位和后4位，8月后公示的38条信息全部符合要求。"
        ),
        6: "无其他需要报告的事项。",
    },
    signature="白沙县城关街道办事处\n2021年1月18日",
    t2=build_t2("2019", {"other_services": [6, 0, 215], "procurement": [3, 42.6]}),
    t3=build_t3("2019", new={"natural_person": 4},
                results={"disclosed": {"natural_person": 3}, "declined_duplicate": {"natural_person": 1}}),
    t4=build_t4(),
    text_facts={"received": 4, "resolved": 4},
    section5="clean_specific",
))

# =============================================================================================
# s11  county department, 2022 report written in the 2019 table format (wrong format for the year)
# =============================================================================================
add(Sample(
    file="s11_baisha_natural_resources_2022.txt",
    agency="白沙县自然资源局", level="县级部门", year=2022, fmt="2019", layout="pipe_row",
    published_on="2023-01-30", signed_on="2023-01-29",
    page_top="白沙县自然资源局2022年政府信息公开工作年度报告\n发布时间：2023-01-30 17:22",
    title="白沙县自然资源局2022年政府信息公开工作年度报告",
    intro=(
        "根据《中华人民共和国政府信息公开条例》规定，现公布白沙县自然资源局2022年政府信息公开工作年度报告。"
        "报告统计期限为2022年1月1日至2022年12月31日。如对本报告有疑问，请与我局办公室联系（电话：0745-7623391）。"
    ),
    bodies={
        1: (
            "2022年，我局围绕国土空间规划、耕地保护、不动产登记等重点工作推进信息公开。"
            "全年主动公开政府信息486条，其中征地信息132条、土地出让结果信息58条、规划批前公示41条。"
            "全年收到政府信息公开申请15件，上年结转1件，全部办结，申请内容主要为征地批复和补偿安置方案。"
        ),
        5: (
            "一是征地信息公开不够及时，有9个批次的征地批复在批复后超过20个工作日才公开；"
            "二是乡镇自然资源所公开意识不强。\n"
            "改进情况：一是明确征地批复收到后10个工作日内公开，由耕地保护股专人负责，下半年新批的14个批次均按时公开；"
            "二是对12个乡镇自然资源所开展业务培训1次，明确各所信息报送联络员。"
        ),
        6: "本年度我局未收取政府信息公开信息处理费。",
    },
    signature="白沙县自然资源局\n2023年1月29日",
    t2=build_t2("2019", {"normative_documents": [1, 1, 6], "licensing": [17, 0, 412], "other_services": [9, 0, 1530],
                         "penalty": [11, 0, 67], "coercion": [3, 0, 5], "fees": [4, 0],
                         "procurement": [8, 231.45]}),
    t3=build_t3("2019", new={"natural_person": 13, "commercial": 2}, carried={"natural_person": 1},
                results={"disclosed": {"natural_person": 6, "commercial": 1},
                         "partially_disclosed": {"natural_person": 2},
                         "unable_not_held": {"natural_person": 3, "commercial": 1},
                         "declined_petition": {"natural_person": 2},
                         "other_processing": {"natural_person": 1}}),
    t4=build_t4(),
    expected_fail=["format_version"],
    text_facts={"received": 15, "carried_over": 1},
    section5="specific",
    defects=["2022年度报告仍使用2019年试行格式的表格（应使用国办公开办函〔2021〕30号格式）。"],
))

# =============================================================================================
# s12  county department, 2025, section 四 missing (later sections renumbered); blank-like cells
# =============================================================================================
add(Sample(
    file="s12_yunxi_medical_security_2025.txt",
    agency="云溪县医疗保障局", level="县级部门", year=2025, fmt="2021", layout="pipe_row",
    published_on="2026-01-20", signed_on="2026-01-16",
    page_top="云溪县医疗保障局2025年政府信息公开工作年度报告\n发布日期：2026年01月20日　信息来源：县医保局",
    title="云溪县医疗保障局2025年政府信息公开工作年度报告",
    intro=STD_INTRO_2021 + (
        "现公布云溪县医疗保障局2025年政府信息公开工作年度报告。报告统计期限为2025年1月1日至2025年12月31日。"
        "如对本报告有疑问，请与县医疗保障局办公室联系（电话：0730-6716630）。"
    ),
    order=[1, 2, 3, 5, 6],
    bodies={
        1: (
            "2025年，我局围绕医保待遇、医保基金监管和医药价格等群众关注事项做好政府信息公开。\n"
            "（一）主动公开。全年公开政府信息274条，其中医保政策及解读36条、定点医药机构名单更新12次、"
            "医保基金监管曝光典型案例9起。\n"
            "（二）依申请公开。全年收到政府信息公开申请5件，均为自然人申请，已全部办结。\n"
            "（三）政府信息管理。现行有效行政规范性文件2件，均已公开。\n"
            "（四）平台建设。在县医保服务大厅设置政策查阅专区。\n"
            "（五）监督保障。局领导班子每季度听取一次公开工作汇报。"
        ),
        5: (
            "（一）存在问题。一是医保政策解读偏专业，群众反映看不懂，全年解读36条中通俗化解读仅5条；"
            "二是定点医药机构名单更新后，乡镇医保服务站未同步张贴。\n"
            "（二）改进情况。一是6月起每项新政策同步制作“一图读懂”，下半年共制作14期；"
            "二是建立名单更新后3个工作日内推送至21个乡镇医保服务站的机制，第四季度抽查全部按时张贴。"
        ),
        6: "本年度未收取政府信息公开信息处理费。",
    },
    signature="云溪县医疗保障局\n2026年1月16日",
    t2=build_t2("2021", {"regulations": ["/", "/", "/"], "normative_documents": [0, 0, 2], "penalty": [9],
                         "fees": ["—"]}),
    t3=build_t3("2021", new={"natural_person": 5},
                results={"disclosed": {"natural_person": 3}, "unable_not_held": {"natural_person": 2}},
                blank={"research": "/", "public_interest": "/", "legal_service": "—", "other_org": "—"}),
    t4=None,
    expected_fail=["sections.complete"],
    text_facts={"received": 5},
    section5="clean_specific",
    defects=["缺少“政府信息公开行政复议、行政诉讼情况”部分（表四），后续部分依次改号为四、五。"],
    notes="Blank-like cells: '/' and '—' in t2 规章/收费 rows and in four t3 columns; these are blank, not 0.",
))

# =============================================================================================
# s13  city bureau, 2024, pipe one cell per line (half-width), sections out of order
#      (存在问题 before 复议诉讼), empty cells; problems without matching remedies
# =============================================================================================
add(Sample(
    file="s13_linjiang_housing_2024.txt",
    agency="临江市住房和城乡建设局", level="市级部门", year=2024, fmt="2021", layout="pipe_cell", halfwidth=True,
    published_on="2025-01-22", signed_on="2025-01-20",
    page_top="首页 > 政务公开 > 年度报告\n临江市住房和城乡建设局2024年政府信息公开工作年度报告\n发布时间:2025-01-22 来源:市住建局\n分享到:",
    page_bottom="扫一扫在手机上查看当前页面\n临江市住房和城乡建设局 版权所有 赣ICP备10007723号-2 网站标识码:3607000021",
    title="临江市住房和城乡建设局2024年政府信息公开工作年度报告",
    intro=STD_INTRO_2021.replace("（", "(").replace("）", ")") + (
        "现公布临江市住房和城乡建设局2024年政府信息公开工作年度报告。所列数据统计期限自2024年1月1日至2024年12月31日。"
        "如对本报告有疑问,请与市住建局办公室联系(电话:0796-8266021)。"
    ),
    order=[1, 2, 3, 5, 4, 6],
    t4_labels=["结果维持", "结果", "其他", "尚未", "总计"],
    bodies={
        1: (
            "2024年,市住建局围绕保障性住房、城市更新、物业管理和建筑市场监管做好政府信息公开。\n"
            "(一)主动公开。全年公开政府信息1342条,其中保障性住房分配信息126条、老旧小区改造项目信息64条、"
            "建筑市场信用信息517条。\n"
            "(二)依申请公开。全年收到政府信息公开申请38件,上年结转2件,办结38件,结转下年度2件。\n"
            "(三)政府信息管理。全年制发行政规范性文件3件,废止1件,现行有效18件。\n"
            "(四)平台建设。在局门户网站开设“城市更新”专题,发布项目进度信息。\n"
            "(五)监督保障。全年组织公开工作自查2次。"
        ),
        5: (
            "(一)存在问题\n"
            "一是政策解读形式单一,全年11篇解读均为文字稿,没有图解和视频解读;"
            "二是依申请公开答复质量不高,年内2件答复因未说明不予公开理由被申请人申请行政复议。\n"
            "(二)改进情况\n"
            "一是优化局门户网站栏目设置,将“城市更新”“住房保障”栏目调整至首页显著位置;"
            "二是完成政务新媒体账号整合,关停长期不更新的账号2个。"
        ),
        4: "2024年,我局政府信息公开行政复议、行政诉讼情况如下:",
        6: "本年度未收取政府信息公开信息处理费。全年办理市人大代表建议27件、市政协提案34件,均已公开答复。",
    },
    signature="临江市住房和城乡建设局\n2025年1月20日",
    t2=build_t2("2021", {"normative_documents": [3, 1, 18], "licensing": [2614], "penalty": [203], "coercion": [4]}),
    t3=build_t3("2021", new={"natural_person": 31, "commercial": 6, "legal_service": 1}, carried={"natural_person": 2},
                results={"disclosed": {"natural_person": 14, "commercial": 3},
                         "partially_disclosed": {"natural_person": 3, "commercial": 1},
                         "withheld_third_party": {"natural_person": 1},
                         "unable_not_held": {"natural_person": 8, "commercial": 2, "legal_service": 1},
                         "declined_petition": {"natural_person": 3},
                         "declined_duplicate": {"natural_person": 1},
                         "other_no_correction": {"natural_person": 1}},
                blank={"research": "", "public_interest": ""}),
    t4=build_t4(review=(2, 0, 0, 1), direct=(1, 0, 0, 0)),
    expected_fail=["sections.order"],
    text_facts={"received": 38, "carried_over": 2, "resolved": 38, "carried_forward": 2},
    section5="unmatched_problems",
    defects=[
        "部分顺序错误：“存在的主要问题及改进情况”排在“行政复议、行政诉讼情况”之前（并按出现顺序编号为四、五）。",
        "第五部分问题为政策解读形式单一、依申请答复质量不高，改进情况只讲网站栏目和新媒体，问题与措施不对应。",
    ],
    notes="Empty cells in the 科研机构 and 社会公益组织 columns of table 3 (blank, not 0); "
          "table 4 header labels cut short (结果 / 其他 / 尚未) as scraped pages show them.",
))

# =============================================================================================
# s14  city bureau, 2023, tab cells; page boilerplate; defect: 办理结果总计 of 商业企业 column wrong
# =============================================================================================
add(Sample(
    file="s14_linjiang_hrss_2023.txt",
    agency="临江市人力资源和社会保障局", level="市级部门", year=2023, fmt="2021", layout="tab_cell",
    published_on="2024-01-25", signed_on="2024-01-23",
    page_top=(
        "网站首页 | 机构概况 | 政务公开 | 政务服务 | 互动交流\n"
        "临江市人力资源和社会保障局2023年政府信息公开工作年度报告\n"
        "发布日期：2024-01-25　　浏览次数：532\n"
        "分享到：微信 微博 QQ空间\n"
    ),
    page_bottom=(
        "\n扫一扫在手机上查看当前页面\n打印本页 | 关闭窗口\n"
        "网站地图 | 联系我们 | 隐私声明\n"
        "主办：临江市人力资源和社会保障局　赣ICP备10006618号-1　赣公网安备36070202000310号"
    ),
    title="临江市人力资源和社会保障局2023年政府信息公开工作年度报告",
    intro=STD_INTRO_2021 + (
        "现公布临江市人力资源和社会保障局2023年政府信息公开工作年度报告。本报告统计期限为2023年1月1日至2023年12月31日。"
        "如对本报告有疑问，请与市人社局办公室联系（地址：临江市人民大道318号，电话：0796-8227419）。"
    ),
    bodies={
        1: (
            "2023年，市人社局围绕就业创业、社会保险、劳动关系和人才人事等重点领域深化政府信息公开。\n"
            "（一）主动公开情况。全年公开政府信息2208条，其中就业补贴和创业担保贷款信息342条、事业单位公开招聘信息96条、"
            "社会保险待遇调整政策及解读27条。\n"
            "（二）依申请公开情况。全年新收政府信息公开申请63件，上年结转5件，办结64件，结转下年度4件。"
            "申请主要涉及工伤认定、社保缴费和事业单位招聘。\n"
            "（三）政府信息管理情况。全年制发行政规范性文件4件，废止2件，现行有效31件。\n"
            "（四）平台建设情况。开通“临江人社”视频号，发布政策解读短视频18期。\n"
            "（五）监督保障情况。局政务公开领导小组每季度调度一次，将公开工作纳入科室绩效考核。"
        ),
        5: (
            "（一）存在的主要问题。一是基层人社服务平台公开不规范，抽查的15个乡镇（街道）人社服务所中有6个未公开办事指南；"
            "二是依申请公开答复期限把握不准，有2件申请延期答复未书面告知申请人。\n"
            "（二）改进情况。一是统一印制乡镇（街道）人社服务事项办事指南，9月底前15个服务所全部张贴并在网上公开；"
            "二是建立依申请公开办理台账，答复到期前5个工作日系统提醒，第四季度未再发生延期未告知情况。"
        ),
        6: "（一）本年度未收取信息处理费。\n（二）全年办理人大代表建议19件、政协提案23件，答复全文均已公开。",
    },
    signature="临江市人力资源和社会保障局\n2024年1月23日",
    t2=build_t2("2021", {"normative_documents": [4, 2, 31], "licensing": [1873], "penalty": [26]}),
    t3=build_t3(
        "2021",
        new={"natural_person": 52, "commercial": 7, "public_interest": 1, "legal_service": 3},
        carried={"natural_person": 4, "commercial": 1},
        results={
            "disclosed": {"natural_person": 21, "commercial": 3, "legal_service": 1},
            "partially_disclosed": {"natural_person": 5, "commercial": 1},
            "withheld_third_party": {"natural_person": 2},
            "withheld_internal_affairs": {"natural_person": 1},
            "withheld_process_info": {"natural_person": 2, "commercial": 1},
            "unable_not_held": {"natural_person": 13, "public_interest": 1, "legal_service": 2},
            "unable_needs_creation": {"natural_person": 2},
            "unable_unclear": {"natural_person": 1},
            "declined_petition": {"natural_person": 4},
            "declined_duplicate": {"natural_person": 2},
            "declined_confirmation": {"natural_person": 1},
            "other_no_correction": {"natural_person": 1},
        },
        overrides={("results_total", "commercial"): 4},
    ),
    t4=build_t4(review=(1, 0, 1, 0), direct=(0, 0, 0, 1)),
    expected_fail=["t3.results_total.commercial", "t3.row_sum.results_total", "t3.identity.commercial"],
    text_facts={"received": 63, "carried_over": 5, "resolved": 64, "carried_forward": 4},
    section5="clean_specific",
    defects=[
        "表三商业企业列“（七）总计”填4，该列办理结果之和为5：该列总计核对、该列“一+二=三+四”（7+1≠4+3）"
        "以及“（七）总计”行合计（55+4+0+1+3+0=63≠64）均不平。",
    ],
))

# =============================================================================================
# s15  city bureau, 2023, pipe rows, multi-digit values; defect: text says 行政复议5件, table says 4
# =============================================================================================
add(Sample(
    file="s15_linjiang_natural_resources_2023.txt",
    agency="临江市自然资源和规划局", level="市级部门", year=2023, fmt="2021", layout="pipe_row",
    published_on="2024-01-29", signed_on="2024-01-26",
    page_top="临江市自然资源和规划局2023年政府信息公开工作年度报告\n【发布时间：2024-01-29】【字体：大 中 小】",
    page_bottom="【打印本页】【关闭窗口】\n临江市自然资源和规划局主办　赣ICP备10008120号",
    title="临江市自然资源和规划局2023年政府信息公开工作年度报告",
    intro=STD_INTRO_2021 + (
        "现公布临江市自然资源和规划局2023年政府信息公开工作年度报告。统计期限为2023年1月1日至2023年12月31日。"
        "如对本报告有疑问，请与市自然资源和规划局办公室联系（电话：0796-8239950）。"
    ),
    bodies={
        1: (
            "2023年，我局围绕国土空间规划、自然资源资产管理、不动产登记和征地拆迁等群众关注领域，依法做好政府信息公开工作。\n"
            "（一）主动公开。全年公开政府信息2764条，其中征收土地信息418条、国有建设用地供应信息226条、"
            "规划许可批前公示和批后公布信息391条。\n"
            "（二）依申请公开。全年新收政府信息公开申请233件，上年结转14件，办结240件，结转下年度7件。"
            "申请量居市直部门首位，主要涉及征地批复、补偿标准和规划许可。\n"
            "（三）政府信息管理。全年制发行政规范性文件5件，废止3件，现行有效22件。\n"
            "（四）平台建设。上线征地信息公开查询平台，群众可按村组查询征地批复和补偿安置方案。\n"
            "（五）监督保障。对7个县区自然资源部门征地信息公开情况开展专项检查，发现问题23个，已全部整改。"
        ),
        4: "2023年，我局因政府信息公开工作被申请行政复议5件，被提起行政诉讼3件，详见下表。",
        5: (
            "（一）存在的主要问题。一是依申请公开数量大、涉及历史档案多，有11件申请需调取2000年以前的纸质档案，答复时间较长；"
            "二是县区征地信息公开质量不均衡，专项检查发现2个县区补偿安置方案未公开。\n"
            "（二）改进情况。一是与市档案馆建立档案调取协作机制，历史档案调取时间由平均10个工作日缩短至4个工作日；"
            "二是督促2个县区于10月底前补充公开补偿安置方案37份，并将征地信息公开纳入年度耕地保护考核。"
        ),
        6: "本年度未收取政府信息公开信息处理费。全年承办建议提案41件，已全部公开答复。",
    },
    signature="临江市自然资源和规划局\n2024年1月26日",
    t2=build_t2("2021", {"normative_documents": [5, 3, 22], "licensing": [1256], "penalty": [97], "coercion": [12]}),
    t3=build_t3(
        "2021",
        new={"natural_person": 187, "commercial": 24, "research": 2, "public_interest": 3, "legal_service": 11,
             "other_org": 6},
        carried={"natural_person": 12, "commercial": 2},
        results={
            "disclosed": {"natural_person": 61, "commercial": 9, "research": 1, "legal_service": 3, "other_org": 2},
            "partially_disclosed": {"natural_person": 19, "commercial": 4, "legal_service": 2},
            "withheld_prohibited": {"natural_person": 2},
            "withheld_three_safeties": {"natural_person": 1},
            "withheld_third_party": {"natural_person": 7, "commercial": 2},
            "withheld_internal_affairs": {"natural_person": 3},
            "withheld_process_info": {"natural_person": 9, "commercial": 1, "legal_service": 1},
            "withheld_enforcement_files": {"natural_person": 4},
            "withheld_query": {"natural_person": 6},
            "unable_not_held": {"natural_person": 48, "commercial": 5, "research": 1, "public_interest": 2,
                                "legal_service": 3, "other_org": 2},
            "unable_needs_creation": {"natural_person": 5, "commercial": 1},
            "unable_unclear": {"natural_person": 3},
            "declined_petition": {"natural_person": 14, "other_org": 1},
            "declined_duplicate": {"natural_person": 7, "commercial": 1},
            "declined_publications": {"natural_person": 1},
            "declined_excessive": {"natural_person": 2},
            "declined_confirmation": {"natural_person": 1},
            "other_no_correction": {"natural_person": 3, "legal_service": 1},
            "other_other": {"natural_person": 2},
        },
    ),
    t4=build_t4(review=(3, 1, 0, 0), direct=(1, 0, 0, 1), after=(1, 0, 0, 0)),
    expected_fail=["text_table.review"],
    text_facts={"received": 233, "carried_over": 14, "resolved": 240, "carried_forward": 7,
                "review": 5, "litigation": 3},
    section5="clean_specific",
    defects=["正文称“被申请行政复议5件”，表四行政复议总计为4件。"],
))

# =============================================================================================
# s16  county government, 2021, run-together cells; vague boilerplate section 五
# =============================================================================================
add(Sample(
    file="s16_baisha_county_gov_2021.txt",
    agency="白沙县人民政府", level="县", year=2021, fmt="2021", layout="run_together",
    published_on="2022-03-25", signed_on="2022-03-21",
    page_top="白沙县人民政府2021年政府信息公开工作年度报告\n\n发布日期 2022-03-25 15:02:47\n",
    title="白沙县人民政府2021年政府信息公开工作年度报告\n",
    intro=(
        "根据《中华人民共和国政府信息公开条例》（国令第711号）、国办公开办函〔2021〕30号要求编制本报告。"
        "本报告所列数据统计期限为2021年1月1日至2021年12月31日。本年度报告电子版可以从白沙县人民政府门户网站下载。"
        "如对本年度报告有疑问，请与白沙县人民政府办公室联系（联系电话：0745-7622001）。\n"
    ),
    bodies={
        1: (
            "2021年，白沙县认真贯彻落实党中央、国务院和省、市关于政务公开工作的部署要求，扎实推进政府信息公开工作。\n\n"
            "（一）主动公开情况\n\n"
            "全年通过县政府门户网站公开政府信息3127条，发布政策解读22篇，公开县政府常务会议信息18期。\n\n"
            "（二）依申请公开情况\n\n"
            "全年收到政府信息公开申请7件，上年结转1件，办结7件，结转下年度1件。\n\n"
            "（三）政府信息管理情况\n\n"
            "全年制发行政规范性文件4件，废止1件，现行有效9件。\n\n"
            "（四）政府信息公开平台建设情况\n\n"
            "完成县政府门户网站适老化改造。\n\n"
            "（五）监督保障情况\n\n"
            "全年开展政务公开督查2次，因政府信息公开被申请行政复议1件，维持原行政行为。\n"
        ),
        5: (
            "2021年，我县政府信息公开工作取得了一定成效，但与上级要求和群众期盼相比还存在一定差距：公开内容的深度和广度有待拓展，"
            "公开的时效性有待加强，工作人员业务水平有待提高。\n\n"
            "下一步，我县将坚持以习近平新时代中国特色社会主义思想为指导，进一步加强组织领导，健全工作机制，加大培训力度，"
            "不断提高政府信息公开工作的质量和水平，努力推动全县政务公开工作迈上新台阶。\n"
        ),
        6: "本年度未收取信息处理费。无其他需要报告的事项。\n",
    },
    signature=" " * 50 + "白沙县人民政府办公室\n\n" + " " * 50 + "2022年3月21日",
    t2=build_t2("2021", {"normative_documents": [4, 1, 9], "licensing": [2876], "penalty": [412], "coercion": [37],
                         "fees": [85.3]}),
    t3=build_t3("2021", new={"natural_person": 6, "commercial": 1}, carried={"natural_person": 1},
                results={"disclosed": {"natural_person": 3, "commercial": 1},
                         "unable_not_held": {"natural_person": 2},
                         "declined_petition": {"natural_person": 1}}),
    t4=build_t4(review=(1, 0, 0, 0)),
    text_facts={"received": 7, "carried_over": 1, "resolved": 7, "carried_forward": 1, "review": 1},
    section5="vague_boilerplate",
    defects=["第五部分为套话：问题无具体事实，措施只有“加强领导、健全机制、加大培训”表态。"],
    notes="All table cells run together (行政规范性文件419, 0000000, a row of 15 digits for table 4).",
))


# =============================================================================================
# s17  development zone, 2024, pipe rows (half-width); defect: a negative count in table 2
#      (本年废止件数 -1); "无" as a blank-like cell
# =============================================================================================
add(Sample(
    file="s17_linjiang_econ_zone_2024.txt",
    agency="临江经济技术开发区管理委员会", level="开发区", year=2024, fmt="2021", layout="pipe_row", halfwidth=True,
    published_on="2025-01-21", signed_on="2025-01-20",
    page_top="临江经济技术开发区管理委员会2024年政府信息公开工作年度报告\n发布日期:2025-01-21 信息来源:综合办公室\n分享到:",
    page_bottom="扫一扫在手机上查看当前页面\n主办单位:临江经济技术开发区管理委员会 赣ICP备11002378号-3",
    title="临江经济技术开发区管理委员会2024年政府信息公开工作年度报告",
    intro=(
        "为贯彻落实《中华人民共和国政府信息公开条例》,按照国办公开办函〔2021〕30号规定的格式,"
        "临江经济技术开发区管理委员会编制本报告。统计期限为2024年1月1日至2024年12月31日。"
        "如对本报告有疑问,请与管委会综合办公室联系(电话:0796-8399016)。"
    ),
    bodies={
        1: (
            "2024年,临江经开区管委会聚焦项目建设、企业服务和安全生产,推进政府信息公开工作。\n"
            "(一)主动公开。全年在经开区网站发布信息948条,其中招商引资和项目建设信息176条、涉企政策及解读52条、"
            "安全生产监管信息83条。\n"
            "(二)依申请公开。全年收到政府信息公开申请6件,均为企业申请,已全部办结。\n"
            "(三)政府信息管理。全年制发行政规范性文件2件,现行有效7件。\n"
            "(四)平台建设。在经开区企业服务中心设置政策查阅窗口,提供纸质政策汇编和电子查询。\n"
            "(五)监督保障。管委会每半年召开一次政务公开工作推进会,对各局办公开情况进行通报。"
        ),
        5: (
            "(一)存在问题。一是涉企政策解读针对性不强,52条政策信息中配发解读的仅19条;"
            "二是企业办事指南更新滞后,年中检查发现8项办事指南仍引用已废止文件。\n"
            "(二)改进情况。一是建立政策文件与解读材料同步起草、同步审签、同步发布机制,下半年新发布的政策文件全部配发解读;"
            "二是9月完成8项办事指南修订并在网站重新发布。"
        ),
        6: "本年度未收取政府信息公开信息处理费。",
    },
    signature="临江经济技术开发区管理委员会\n2025年1月20日",
    t2=build_t2("2021", {"normative_documents": [2, -1, 7], "licensing": [64], "penalty": [3], "fees": ["无"]}),
    t3=build_t3("2021", new={"commercial": 6},
                results={"disclosed": {"commercial": 4}, "partially_disclosed": {"commercial": 1},
                         "unable_not_held": {"commercial": 1}}),
    t4=build_t4(),
    expected_fail=["t2.values"],
    text_facts={"received": 6, "normative_made": 2},
    section5="clean_specific",
    defects=["表二“行政规范性文件·本年废止件数”填-1：件数不能为负数。"],
    notes="Half-width punctuation; 行政事业性收费 cell holds 无 (blank-like, not 0).",
))


# =============================================================================================
# Output
# =============================================================================================

EXPECTED_DOC = (
    "Truth for the authored samples (all invented). Per file: metadata, section numbers in document order "
    "(1..6 = 总体情况, 主动公开, 申请处理, 复议诉讼, 问题及改进, 其他事项), every value of tables 2/3/4 "
    "(null = blank-like cell, listed in blank_cells), the check ids that must come out 'fail' (expected_fail; "
    "no other check may fail), and the deliberate defects in words. checks_not_judged_because_blank lists "
    "arithmetic checks that involve blank cells (they must not fail). text_facts are the figures the prose "
    "quotes. section5: clean_specific | specific | vague_boilerplate | no_problems | unmatched_problems."
)


def validate(s: Sample) -> None:
    """Derived arithmetic failures must equal the designed ones (guards against authoring slips)."""
    computed = set(s.computed_failures())
    designed = {c for c in s.expected_fail if c.startswith(("t3.", "t4."))}
    if computed != designed:
        raise SystemExit(f"{s.file}: designed t3/t4 failures {sorted(designed)} != computed {sorted(computed)}")
    if s.layout == "run_together":
        for raw in [x for row in s.t3.rows.values() for x in row] + [x for b in (s.t4 or {}).values() for x in b]:
            if len(raw) != 1:
                raise SystemExit(f"{s.file}: run-together table cell {raw!r} is not a single digit (ambiguous)")
        for key, vals in s.t2.items():
            if len(vals) > 1 and any(len(v) != 1 for v in vals):
                raise SystemExit(f"{s.file}: run-together t2 row {key} {vals} is ambiguous")


def write_text_samples() -> None:
    for s in SAMPLES:
        validate(s)
        if s.kind != "txt":
            continue
        data = s.page_text().encode(s.encoding)
        (HERE / s.file).write_bytes(data)


def write_expected() -> None:
    out = {"_doc": EXPECTED_DOC, "samples": {s.file: s.expected() for s in SAMPLES}}
    (HERE / "expected.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    write_text_samples()
    write_expected()
    try:
        import make_binary_samples
    except ImportError as exc:  # pragma: no cover
        print(f"binary samples skipped: {exc}")
        return
    make_binary_samples.main([s for s in SAMPLES if s.kind != "txt"])
    print(f"wrote {len(SAMPLES)} samples")


if __name__ == "__main__":
    main()
