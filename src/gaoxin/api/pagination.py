"""One page of a list: ``?limit=`` (at most 1000) and ``?offset=``; the answer says ``count``
and links ``next`` and ``previous``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response


class Pages(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


class StoredRows:
    """A list read from the analytics tables as the paginator takes it: its length, and a slice
    made into rows only when asked for (``values.rows``), so a page names 100 rows, not all.
    ``state`` is the :class:`gaoxin.statistics.analytics.State` the rows were read at."""

    def __init__(self, values: Any) -> None:
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, part: slice) -> list[dict]:
        return self.values.rows(part.start or 0, part.stop if part.stop is not None else len(self))


#: What a page of values read from the analytics tables says about them, beside ``count``.
STATE_FIELDS: dict[str, dict] = {
    "data_version": {
        "type": "integer",
        "nullable": True,
        "description": "分析表所依据的数据版本（null：尚未生成）",
    },
    "built_at": {
        "type": "string",
        "format": "date-time",
        "nullable": True,
        "description": "分析表生成时间（北京时间，ISO 8601）",
    },
    "stale": {
        "type": "boolean",
        "description": "true：此后数据已有更新，分析表待重建（所给数值是上一版本的）",
    },
    "latest_data_version": {"type": "integer", "description": "库中当前的数据版本"},
    "data_note": {"type": "string", "description": "一句话说明，如页面所示：数据版本 N，生成于 …"},
    "not_computed": {
        "type": "array",
        "description": "所问指标中，所问期间类型没有数值的（所读变量不按该期间类型报送，决定 072）：这些指标在该类期间没有行",
        "items": {
            "type": "object",
            "required": ["indicator", "indicator_name", "period_type", "variables", "note"],
            "properties": {
                "indicator": {"type": "string", "description": "指标代码"},
                "indicator_name": {"type": "string"},
                "period_type": {"type": "string", "enum": ["year", "half", "quarter", "month"]},
                "variables": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "该类期间没有数据的所读变量",
                },
                "note": {
                    "type": "string",
                    "description": "如：按年统计，无月度值（「土地面积」按年报送）",
                },
            },
        },
    },
    "preview": {
        "type": "boolean",
        "description": "true：预览，含已提交、尚未省级审定的数据（?preview=1，仅省级审核员、省级管理员和系统管理员）",
    },
}


class StoredPages(Pages):
    """:class:`Pages` of :class:`StoredRows`, each page also saying which build of the analytics
    tables it was read from (data version, when built, stale or not), as the pages do."""

    def paginate_queryset(self, queryset, request, view=None):
        self.stored = queryset.values
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        page = super().get_paginated_response(data).data
        state = self.stored.data
        head = {k: v for k, v in page.items() if k != "results"}
        return Response(
            head
            | {
                "data_version": state.version,
                "built_at": timezone.localtime(state.built_at).isoformat()
                if state.built_at
                else None,
                "stale": state.stale,
                "latest_data_version": state.data_version,
                "data_note": state.text(),
                "preview": self.stored.preview,
                "not_computed": [
                    vars(n) | {"variables": list(n.variables)} for n in self.stored.not_computed
                ],
                "results": page["results"],
            }
        )

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        properties = out["properties"]
        results = properties.pop("results")
        properties.update(STATE_FIELDS)
        properties["results"] = results
        out["required"] = [*out.get("required", []), *STATE_FIELDS]
        return out
