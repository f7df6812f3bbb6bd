"""The official documents a page offers for download, made as background jobs (decisions 032,
033, 045): the job writes the .docx or the PDF (printed by LibreOffice, the 版记 on an even
page) over the user's scope and keeps it as the job's file; several documents (a notice per
zone) go into one .zip."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_noop

from gaoxin.jobs.services import Outcome

WRITING = gettext_noop("生成公文")
PRINTING = gettext_noop("生成公文并打印为 PDF")


def official_document(
    kind: str,
    pack: str,
    period: str,
    user_id: int,
    fmt: str,
    document: int | None = None,
    scope_id: int | None = None,
    *,
    progress,
) -> Outcome:
    """The documents of ``kind`` (:data:`gaoxin.documents.services.KINDS`) of ``pack`` and
    ``period`` within the user's scope (a monitoring bulletin: within ``scope_id``), as
    ``fmt`` (``docx`` or ``pdf``)."""
    from gaoxin.documents.services import KINDS, official_documents, write_official_documents
    from gaoxin.registry.models import Entity

    user = get_user_model().objects.get(pk=user_id)
    progress(PRINTING if fmt == "pdf" else WRITING)
    place = Entity.objects.get(pk=scope_id) if scope_id else None
    made = official_documents(
        kind, pack=pack, period=period, by=user, document=document, place=place
    )
    folder = Path(tempfile.mkdtemp(prefix="official-"))
    name = made[0].title if len(made) == 1 else f"{period}{KINDS[kind].zh}"
    files = write_official_documents(
        kind, folder / f"{name}.docx", pack=pack, period=period, by=user,
        pdf=fmt == "pdf", document=document, place=place,
    )  # fmt: skip
    chosen = [f for f in files if f.suffix == f".{fmt}"]
    if len(chosen) == 1:
        out, filename = chosen[0], chosen[0].name
    else:
        out, filename = folder / f"{name}.zip", f"{name}.zip"
        with zipfile.ZipFile(out, "w") as z:
            for f in chosen:
                z.write(f, f.name)
    titles = "、".join(d.title for d in made[:3]) + ("等" if len(made) > 3 else "")
    return Outcome(f"{titles}：{len(made)} 份公文。", file=out, filename=filename)
