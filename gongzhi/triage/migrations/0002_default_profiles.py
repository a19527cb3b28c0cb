"""The import profiles a deployment starts with (administrators edit them afterwards): the
12345 platform's work-order export, and the two real datasets of ../shared/data (the TipDM
citizen messages, Chinese; the Los Angeles 311 service requests, English), which prove that
the importer is general: their columns and categories are data, not code."""

from django.db import migrations

PROFILES = [
    {
        "key": "12345",
        "name": "12345 工单导出（默认）",
        "description": "The city 12345 platform's work-order export (.xlsx/.xls/.csv).",
        "channel": "hotline",
        "case_type": "complaint",
        "columns": {
            "external_ref": ["工单编号", "工单号", "编号"],
            "received_at": ["受理时间", "来电时间", "派单时间", "登记时间"],
            "category": ["诉求分类", "问题分类", "分类", "类别"],
            "type": ["工单类型", "诉求类型"],
            "title": ["诉求标题", "标题", "主题"],
            "description": ["诉求内容", "问题描述", "内容", "工单内容"],
            "address": ["事发地址", "地址", "发生地址"],
            "lat": ["纬度", "lat"],
            "lng": ["经度", "lng", "lon"],
            "reporter_name": ["来电人", "联系人", "反映人/姓名", "姓名"],
            "reporter_phone": ["联系电话", "来电号码", "电话", "反映人/电话"],
            "urgency": ["紧急程度", "缓急"],
        },
        "join": [],
        "category_map": {},
        "default_category": "",
    },
    {
        "key": "hotline-messages",
        "name": "市民留言（TipDM 数据集）",
        "description": "hotline_messages/*.csv: 留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 一级标签/一级分类.",
        "channel": "hotline",
        "case_type": "complaint",
        "columns": {
            "external_ref": ["留言编号"],
            "received_at": ["留言时间"],
            "category": ["一级标签", "一级分类"],
            "title": ["留言主题"],
            "description": ["留言详情"],
            "reporter_name": ["留言用户"],
        },
        "join": [],
        "category_map": {
            "城乡建设": "H14-03-01",
            "劳动和社会保障": "H12-01-01",
            "教育文体": "H13-02-03",
            "商贸旅游": "H07-01-02",
            "卫生计生": "H09-03-01",
            "环境保护": "H08-03-03",
            "交通运输": "H04-04-02",
        },
        "default_category": "H99-01-01",
    },
    {
        "key": "la311",
        "name": "Los Angeles 311 (MyLA311)",
        "description": "la311/*.csv: SRNumber, CreatedDate, RequestType, Address, Latitude, Longitude.",
        "channel": "hotline",
        "case_type": "help",
        "columns": {
            "external_ref": ["SRNumber"],
            "received_at": ["CreatedDate"],
            "category": ["RequestType"],
            "title": ["RequestType"],
            "address": ["Address"],
            "lat": ["Latitude"],
            "lng": ["Longitude"],
        },
        "join": ["RequestType", "Address"],
        "category_map": {
            "Bulky Items": "H02-02-05",
            "Graffiti Removal": "H01-03-01",
            "Illegal Dumping Pickup": "H01-04-02",
            "Metal/Household Appliances": "E0108",
            "Electronic Waste": "E0108",
            "Homeless Encampment": "E0502",
            "Dead Animal Removal": "H02-01-05",
            "Single Streetlight Issue": "H15-01-01",
            "Multiple Streetlight Issue": "H15-01-01",
            "Report Water Waste": "H16-01-04",
            "Feedback": "H20-03-02",
            "Other": "H99-01-01",
        },
        "default_category": "",
        "date_formats": ["%m/%d/%Y %I:%M:%S %p"],
    },
]


def add(apps, schema_editor):
    Profile = apps.get_model("triage", "ImportProfile")
    for p in PROFILES:
        if not Profile.objects.filter(key=p["key"], archived_at__isnull=True).exists():
            Profile.objects.create(**p)


def remove(apps, schema_editor):
    Profile = apps.get_model("triage", "ImportProfile")
    Profile.objects.filter(key__in=[p["key"] for p in PROFILES], batches__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
