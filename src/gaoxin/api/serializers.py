"""What the API answers, field by field (the OpenAPI schema is built from these). Amounts of
money come twice: ``amount_wan`` as a decimal string in 万元 (2 places) and ``amount_fen`` as
an integer in 分, the exact stored value (decision 005). Statistical values are decimal strings
with their unit."""

from __future__ import annotations

from rest_framework import serializers

from gaoxin.accounts.roles import scope_level


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="说明（中文）")
    code = serializers.CharField(help_text="not_found、invalid、refused、permission_denied 等")
    problems = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="逐条问题：message 及其位置"
    )


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(allow_null=True, help_text="角色代码，如 zone_reporter")
    role_name = serializers.CharField(allow_null=True, help_text="角色中文名")
    scope = serializers.IntegerField(allow_null=True, help_text="数据范围主体编号（全部：null）")
    scope_name = serializers.CharField(allow_null=True)
    actions = serializers.ListField(child=serializers.CharField(), help_text="本角色可做的操作")


class EntitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="region、zone、enterprise、institution")
    level = serializers.SerializerMethodField(
        help_text="province、city、county、zone、enterprise、institution"
    )
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)

    def get_level(self, entity) -> str:
        return scope_level(entity)


class VariableSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="name_zh")
    name_en = serializers.CharField()
    unit = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField(), source="kind_list")
    period_type = serializers.CharField()
    cumulative = serializers.BooleanField()
    aggregation = serializers.CharField()
    min_value = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    max_value = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="zh")
    name_en = serializers.CharField(source="en")
    unit = serializers.CharField()
    level = serializers.CharField()
    formula = serializers.CharField()
    source = serializers.CharField()
    key = serializers.BooleanField(help_text="监测表的主要指标")
    cumulative = serializers.BooleanField()
    note = serializers.CharField(allow_null=True)


class ObservationSerializer(serializers.Serializer):
    entity = serializers.IntegerField(source="entity_id")
    entity_name = serializers.CharField(source="entity.name")
    variable = serializers.CharField(source="variable.code")
    variable_name = serializers.CharField(source="variable.name_zh")
    period = serializers.CharField()
    value = serializers.DecimalField(max_digits=24, decimal_places=6, help_text="十进制字符串")
    unit = serializers.CharField(source="variable.unit")
    updated_at = serializers.DateTimeField()


class FormSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    period_type = serializers.CharField()
    entity_kind = serializers.CharField(help_text="所填主体类型")


class SubmissionSerializer(serializers.Serializer):
    form = serializers.CharField(source="form.code")
    entity = serializers.IntegerField(source="entity_id")
    entity_name = serializers.CharField(source="entity.name")
    period = serializers.CharField()
    state = serializers.CharField(
        help_text="draft、submitted、returned、city_approved、province_approved"
    )
    state_name = serializers.CharField(source="get_state_display")
    updated_at = serializers.DateTimeField()


class EventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    comment = serializers.CharField()


class ColumnSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    required = serializers.BooleanField()


class CellSerializer(serializers.Serializer):
    entity = serializers.IntegerField()
    variable = serializers.CharField()
    value = serializers.DecimalField(max_digits=24, decimal_places=6)


class RowSerializer(serializers.Serializer):
    entity = serializers.IntegerField(source="entity_id")
    name = serializers.CharField()
    code = serializers.CharField()


class SheetSerializer(serializers.Serializer):
    """A (form, reporting unit, period) as the data-entry page shows it."""

    form = serializers.CharField()
    entity = serializers.IntegerField()
    entity_name = serializers.CharField()
    period = serializers.CharField()
    state = serializers.CharField(allow_blank=True, help_text="空：尚未填报")
    editable = serializers.BooleanField(help_text="本用户现在能否保存数值")
    moves = serializers.ListField(child=serializers.CharField(), help_text="本用户现在可做的流转")
    columns = ColumnSerializer(many=True)
    rows = RowSerializer(many=True)
    values = CellSerializer(many=True)
    events = EventSerializer(many=True)


class ValueInSerializer(serializers.Serializer):
    entity = serializers.IntegerField(help_text="行：填报名单中的主体编号")
    variable = serializers.CharField(help_text="列：报表中的变量代码")
    value = serializers.CharField(
        allow_blank=True, allow_null=True, help_text='所填数值，如 "1234.5"（按列的单位）'
    )


class SaveInSerializer(serializers.Serializer):
    values = ValueInSerializer(many=True, allow_empty=True)
    submit = serializers.BooleanField(default=False, help_text="true：保存并提交")


class CellProblemSerializer(serializers.Serializer):
    message = serializers.CharField()
    severity = serializers.CharField()
    cells = CellSerializer(many=True)


class SaveOutSerializer(serializers.Serializer):
    saved = serializers.BooleanField()
    created = serializers.IntegerField(help_text="新增数值数")
    changed = serializers.IntegerField(help_text="修改数值数")
    state = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())


class MoveInSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["city_approve", "city_return", "province_approve", "province_return", "unlock"]
    )
    comment = serializers.CharField(allow_blank=True, default="", max_length=2000)


class MoveOutSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    at = serializers.DateTimeField()


class RateSerializer(serializers.Serializer):
    name = serializers.CharField()
    expected = serializers.IntegerField()
    reported = serializers.IntegerField()
    overdue = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="报送率（%）")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="及时率（%）")


class UnitStatusSerializer(serializers.Serializer):
    entity = serializers.IntegerField(source="entity_id")
    name = serializers.CharField()
    city = serializers.CharField()
    province = serializers.CharField()
    state = serializers.CharField()
    state_name = serializers.CharField(source="state_label")
    submitted_at = serializers.DateTimeField(allow_null=True)
    on_time = serializers.BooleanField()
    overdue = serializers.BooleanField()


class CompletenessSerializer(serializers.Serializer):
    form = serializers.CharField(source="form.code")
    period = serializers.CharField()
    deadline = serializers.DateField()
    today = serializers.DateField()
    total = RateSerializer()
    provinces = RateSerializer(many=True)
    cities = RateSerializer(many=True)
    units = UnitStatusSerializer(many=True)


class MonitorColumnSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="行中的键：<指标>__<口径>")
    name = serializers.CharField()


class MissingZoneSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="园区代码")
    name = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["not_reported", "in_review", "returned"],
        help_text="not_reported：未报送（无报送或仅有草稿）；in_review：已报送、待审核；returned：退回修改",
    )
    status_label = serializers.CharField(help_text="未报送、已报送、待审核、退回修改")
    state = serializers.CharField(
        allow_null=True,
        help_text="报送状态：draft、submitted、city_approved、returned；null：无报送",
    )
    since = serializers.DateTimeField(allow_null=True, help_text="进入该状态的时间")
    deadline = serializers.DateField(allow_null=True, help_text="本期报表的最早填报截止日")


class MonitoringSerializer(serializers.Serializer):
    title = serializers.CharField()
    period = serializers.CharField()
    scope = serializers.IntegerField(allow_null=True)
    input_hash = serializers.CharField()
    built_at = serializers.CharField()
    preview = serializers.BooleanField(
        help_text="true：预览，含已提交、尚未省级审定的数据（?preview=1，仅省级审核员、省级管理员和系统管理员）"
    )
    columns = MonitorColumnSerializer(many=True)
    rows = serializers.ListField(
        child=serializers.DictField(), help_text="每园区一行（首行为合计），键见 columns"
    )
    expected = serializers.IntegerField(help_text="应报园区数：本年或上年有统计数据的园区")
    missing = MissingZoneSerializer(many=True, help_text="本期未计入本表的园区及其报送状态")
    missing_lines = serializers.ListField(
        child=serializers.CharField(), help_text="同一说明的文字，与页面、命令行和 Excel 一致"
    )


class IndicatorValueSerializer(serializers.Serializer):
    """One stored indicator value (decision 071): an entity's value of an indicator in a period."""

    entity = serializers.IntegerField(
        allow_null=True, help_text="主体编号（/api/v1/entities/ 的 id）"
    )
    entity_code = serializers.CharField(
        help_text="主体代码：行政区划代码、高新区代码、统一社会信用代码"
    )
    entity_name = serializers.CharField(help_text="主体名称（现名）")
    kind = serializers.CharField(help_text="province、city、zone、enterprise、institution")
    period = serializers.CharField(help_text="期间：2025、2025H1、2025Q3、2025-07")
    indicator = serializers.CharField(help_text="指标代码（/api/v1/indicators/）")
    indicator_name = serializers.CharField(help_text="指标名称")
    unit = serializers.CharField(help_text="单位（指标目录所定：万元、%、家……）")
    value = serializers.FloatField(
        allow_null=True,
        help_text="数值，按 unit（金额为万元，不是分）；null：无法计算（所需数据缺失）",
    )
    missing = serializers.IntegerField(
        help_text="计算时缺失的输入个数（如未报送的企业数）；大于 0 表示用不完整的数据算出"
    )


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    pack = serializers.CharField()
    framework = serializers.CharField()
    period = serializers.CharField()
    scope = serializers.IntegerField(source="scope_id", allow_null=True)
    scope_name = serializers.CharField(source="scope.name", allow_null=True, default=None)
    level = serializers.CharField()
    units = serializers.IntegerField()
    status = serializers.CharField()
    approval = serializers.CharField(help_text="pending、approved、returned；读者只见 approved")
    created_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)


class ResultSerializer(serializers.Serializer):
    entity = serializers.IntegerField(source="entity_id")
    entity_name = serializers.CharField(source="entity.name")
    score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    rank_change = serializers.IntegerField(allow_null=True)
    grade = serializers.CharField()
    veto = serializers.CharField()
    strengths = serializers.CharField()
    weaknesses = serializers.CharField()


class AwardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    pack = serializers.CharField()
    rule = serializers.CharField()
    rule_name = serializers.CharField()
    article = serializers.CharField()
    entity = serializers.IntegerField(source="entity_id")
    entity_name = serializers.CharField(source="entity.name")
    period = serializers.CharField()
    decided_on = serializers.DateField()
    outcome = serializers.CharField(help_text="money 或 action")
    amount_wan = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, help_text="金额（万元，2 位小数）"
    )
    amount_fen = serializers.IntegerField(allow_null=True, help_text="金额（分，精确值）")
    action = serializers.CharField()
    kind = serializers.CharField(help_text="decision 核定 或 reversal 冲销")
    approval = serializers.CharField()
    text = serializers.CharField(help_text="说明")


class ExplainedInputSerializer(serializers.Serializer):
    label = serializers.CharField()
    name = serializers.CharField()
    value = serializers.CharField()
    origin = serializers.CharField()


class StepSerializer(serializers.Serializer):
    step = serializers.CharField()
    amount_wan = serializers.CharField()


class ExplanationSerializer(serializers.Serializer):
    result = serializers.CharField()
    inputs = ExplainedInputSerializer(many=True)
    steps = StepSerializer(many=True)
    caps = serializers.CharField()
    receipt = serializers.CharField()


class AwardDetailSerializer(AwardSerializer):
    quote = serializers.CharField(help_text="政策原文")
    explanation = ExplanationSerializer()


class CaseEventSerializer(serializers.Serializer):
    action = serializers.CharField(
        help_text="操作：open、submit_plan、add_evidence、city_approve …"
    )
    label = serializers.CharField(help_text="操作（中文）")
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    by = serializers.CharField(allow_null=True, help_text="操作人；空为系统")
    at = serializers.DateTimeField()
    comment = serializers.CharField(help_text="整改方案、材料说明或审核意见")
    files = serializers.ListField(child=serializers.CharField(), help_text="文件名")


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="案件编号")
    entity = serializers.IntegerField(source="entity_id")
    entity_name = serializers.CharField(source="entity.name")
    pack = serializers.CharField()
    rule = serializers.CharField()
    rule_name = serializers.CharField()
    action = serializers.CharField(help_text="处理措施代码（commend、summon、rectify、revoke …）")
    action_name = serializers.CharField(help_text="处理措施（中文）")
    period = serializers.CharField()
    article = serializers.CharField()
    text = serializers.CharField(help_text="处理依据")
    award = serializers.IntegerField(source="entry_id", help_text="台账记录编号")
    opened_on = serializers.DateField()
    deadline = serializers.DateField(allow_null=True, help_text="整改期限；空为不需整改")
    state = serializers.CharField()
    state_name = serializers.CharField()
    overdue = serializers.BooleanField(help_text="整改中且已过期限")


class CaseDetailSerializer(CaseSerializer):
    quote = serializers.CharField(help_text="政策原文")
    events = CaseEventSerializer(many=True, source="timeline")


class TargetSerializer(serializers.Serializer):
    title = serializers.CharField()
    pack = serializers.CharField()
    year = serializers.IntegerField()
    place = serializers.CharField()
    input_hash = serializers.CharField()
    built_at = serializers.DateTimeField()
    preview = serializers.BooleanField(
        help_text="true：预览，含已提交、尚未省级审定的数据（?preview=1，仅省级审核员、省级管理员和系统管理员）"
    )
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.DictField(), help_text="每目标一行，键见 columns"
    )


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(
        source="unit_label", help_text="集体单位的一份带上报送主体：各设区市人民政府：厦门市"
    )
    role = serializers.CharField(help_text="lead 牵头 或 participating 参与")
    document = serializers.CharField(source="measure.document.title")
    measure = serializers.CharField(source="measure.text")
    deadline = serializers.DateField(source="measure.deadline", allow_null=True)
    status = serializers.CharField()
    is_late = serializers.BooleanField()


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit_name = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    note = serializers.CharField()
    reported_on = serializers.DateField()
    reported_by = serializers.CharField(allow_null=True)


class TaskDetailSerializer(TaskSerializer):
    can_report = serializers.BooleanField()
    reports = ReportSerializer(many=True)


class ReportInSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="not_started、in_progress、done")
    note = serializers.CharField(allow_blank=True, default="", max_length=5000)


class JobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    label = serializers.CharField()
    state = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    summary = serializers.CharField()
    has_file = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_has_file(self, job) -> bool:
        return bool(job.result_file)
