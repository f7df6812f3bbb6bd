"""Field validators for codes: 统一社会信用代码, GB/T 2260 region codes, GB/T 4754 industries."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from gaoxin.engine.reference import industry_code_problem


def validate_uscc(value: str) -> None:
    try:
        uscc.validate(value)
    except InvalidChecksum as exc:
        raise ValidationError("统一社会信用代码「%(v)s」校验位错误", params={"v": value}) from exc
    except StdnumError as exc:
        raise ValidationError(
            "统一社会信用代码「%(v)s」格式不对：应为18位数字或大写字母", params={"v": value}
        ) from exc


def validate_region_code(value: str) -> None:
    if not re.fullmatch(r"[1-9]\d{5}", value or ""):
        raise ValidationError("行政区划代码「%(v)s」应为6位数字", params={"v": value})


def validate_industry_code(value: str) -> None:
    problem = industry_code_problem(value) if value else None
    if problem:
        raise ValidationError(problem)
