"""gaoxin backup / restore: a round trip gives back the database, the media and the analytics
directory byte for byte (by checksum); a damaged archive changes nothing (issue 15, item 9)."""

import hashlib
import io
import json
import tarfile

import pytest
from django.db import connection
from typer.testing import CliRunner

from gaoxin.backup import BackupError, backup, restore
from gaoxin.statistics.models import Batch, Variable
from gaoxin.statistics.store import sync_catalogue, write_observations
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "home" / "media"
    settings.ANALYTICS_ROOT = tmp_path / "home" / "analytics"
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "证明.pdf").write_bytes(b"%PDF-1.4 evidence")
    settings.ANALYTICS_ROOT.mkdir(parents=True)
    (settings.ANALYTICS_ROOT / "facts-v1.parquet").write_bytes(b"PAR1 facts")
    sync_catalogue()
    t = factories.small_tree()
    revenue = Variable.objects.get(code="revenue")
    write_observations(
        [(t["a"].pk, revenue.pk, "2025", 1), (t["c"].pk, revenue.pk, "2025", 2)],
        Batch.objects.create(kind="manual", label="x"),
    )
    return t, revenue, settings


def fingerprint(settings) -> tuple[str, dict[str, str]]:
    """The database's content (SQLite dump) and every file's SHA-256."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        dump = "\n".join(connection.connection.iterdump())
    else:
        from gaoxin.statistics.models import Observation, ObservationChange

        dump = repr(
            (
                list(Observation.objects.order_by("id").values_list()),
                list(ObservationChange.objects.order_by("id").values_list()),
            )
        )
    files = {
        str(p.relative_to(root.parent)): hashlib.sha256(p.read_bytes()).hexdigest()
        for root in (settings.MEDIA_ROOT, settings.ANALYTICS_ROOT)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    return hashlib.sha256(dump.encode()).hexdigest(), files


def test_a_restore_gives_back_exactly_what_was_backed_up(site, tmp_path):
    t, revenue, settings = site
    before = fingerprint(settings)
    archive = backup(tmp_path / "gaoxin.tar.gz")
    assert archive.files == 2
    # Life goes on: a value changes, evidence is lost, analytics are rebuilt.
    write_observations(
        [(t["a"].pk, revenue.pk, "2025", 5)], Batch.objects.create(kind="manual", label="y")
    )
    (settings.MEDIA_ROOT / "evidence" / "证明.pdf").unlink()
    (settings.ANALYTICS_ROOT / "facts-v2.parquet").write_bytes(b"PAR1 newer")
    assert fingerprint(settings) != before
    restore(archive.path)
    assert fingerprint(settings) == before


def test_a_damaged_archive_is_refused_and_changes_nothing(site, tmp_path):
    _, _, settings = site
    good = backup(tmp_path / "gaoxin.tar.gz").path
    bad = tmp_path / "damaged.tar.gz"
    with tarfile.open(good, "r:gz") as src, tarfile.open(bad, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if member.name.endswith("证明.pdf"):
                data = data.replace(b"evidence", b"EVIDENCE")
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    (settings.ANALYTICS_ROOT / "facts-v2.parquet").write_bytes(b"PAR1 newer")
    before = fingerprint(settings)
    with pytest.raises(BackupError, match="校验和不符"):
        restore(bad)
    assert fingerprint(settings) == before


def test_the_manifest_lists_every_file_with_its_checksum(site, tmp_path):
    path = backup(tmp_path / "gaoxin.tar.gz").path
    with tarfile.open(path, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = {m.name for m in tar.getmembers() if m.isfile()}
    assert set(manifest["checksums"]) == names - {"manifest.json"}
    assert {"media/evidence/证明.pdf", "analytics/facts-v1.parquet"} <= names


def test_the_commands(site, tmp_path):
    from gaoxin.cli import app

    out = tmp_path / "cli.tar.gz"
    result = CliRunner().invoke(app, ["backup", str(out)])
    assert result.exit_code == 0, result.output
    assert "已备份" in result.output
    result = CliRunner().invoke(app, ["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert "已恢复" in result.output
    result = CliRunner().invoke(app, ["restore", str(tmp_path / "none.tar.gz"), "--yes"])
    assert result.exit_code == 2 and "找不到备份文件" in result.output
