"""A background job as its user sees it: what, for which scope, how far, and the result."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.scoping import ScopedQuerySet
from gaoxin.jobs.choices import JobState
from gaoxin.registry.models import Entity


class JobQuerySet(ScopedQuerySet):
    scope_path = "scope__path"

    def visible_to(self, user) -> JobQuerySet:
        """The jobs ``user`` started, within the scope they have now: someone else's job, or
        one of a scope the user has since lost, is not theirs to see."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.restrict(user).filter(started_by=user)


class Job(models.Model):
    """One run of a service function in the background (:func:`gaoxin.jobs.start`)."""

    # A job's address is not a counter: /jobs/<id>/ does not tell how many jobs others ran.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(
        _("任务类型"), max_length=200, help_text=_("执行的服务函数（模块路径）")
    )
    label = models.CharField(_("任务"), max_length=200, help_text=_("如：导入 2025年12月 统计数据"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scope = models.ForeignKey(
        Entity,
        verbose_name=_("数据范围"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("任务涉及的主体及其下级；空为全部数据"),
    )
    arguments = models.JSONField(_("参数"), default=dict, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), null=True, blank=True)
    message = models.CharField(_("当前步骤"), max_length=500, blank=True)
    summary = models.TextField(_("结果"), blank=True)
    problems = models.JSONField(
        _("问题清单"),
        default=list,
        blank=True,
        help_text=_("未完成或有提示时逐条列出：文件、工作表、行、列、值、说明"),
    )
    result_file = models.FileField(_("结果文件"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("结果文件名"), max_length=255, blank=True)
    result_url = models.CharField(
        _("结果页面"), max_length=300, blank=True, help_text=_("显示任务结果的页面地址")
    )
    result_link = models.CharField(_("结果页面链接文字"), max_length=100, blank=True)
    result_data = models.JSONField(
        _("结果数据"),
        null=True,
        blank=True,
        help_text=_("结果页面读取的数据（如奖补测算的拟核定记录）"),
    )
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("最近心跳"), null=True, blank=True, help_text=_("执行中的任务最近一次报告进度的时间")
    )
    worker = models.CharField(
        _("执行进程"), max_length=200, blank=True, help_text=_("主机名:进程号")
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["started_by", "-created_at"], name="job_user_recent")]

    def __str__(self) -> str:
        return self.label

    @property
    def finished(self) -> bool:
        return self.state in JobState.finished()

    @property
    def elapsed(self) -> str:
        """How long it ran, in words: 「38 秒」「4 分 12 秒」."""
        if self.started_at is None or self.finished_at is None:
            return ""
        seconds = max(0, round((self.finished_at - self.started_at).total_seconds()))
        minutes, seconds = divmod(seconds, 60)
        if minutes:
            return gettext("%(minutes)s 分 %(seconds)s 秒") % {
                "minutes": minutes,
                "seconds": seconds,
            }
        return ngettext("%(seconds)s 秒", "%(seconds)s 秒", seconds) % {"seconds": seconds}

    @property
    def inputs_name(self) -> str:
        """The name of the user's file this job read (``inputs`` among its arguments: the
        upload a trial kept, decision 082), or ""."""
        path = (self.arguments or {}).get("kwargs", {}).get("inputs")
        return Path(path).name if path else ""

    @property
    def inputs_file(self) -> Path | None:
        """That file, while it is kept (gaoxin.web.uploads), else None."""
        from gaoxin.web import uploads

        return uploads.kept((self.arguments or {}).get("kwargs", {}).get("inputs"))

    @property
    def percent(self) -> int | None:
        """Progress in whole percent, None while the total is unknown."""
        if not self.total:
            return 100 if self.state == JobState.SUCCEEDED else None
        return min(100, self.done * 100 // self.total)
