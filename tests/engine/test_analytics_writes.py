"""The analytics build's writes beside its work (gaoxin.engine.analytics, decision 073): a year's
files are written in a thread while the next year is built, an indicator file while the next
year's cells are gathered. The files are those of a build that writes each in turn; a failed
write fails the build in the caller, which then holds no build (no meta.json) and no thread
still writing."""

import threading

import polars as pl
import pytest

from gaoxin.engine import analytics as tables
from gaoxin.engine import synth
from gaoxin.engine.indicators import default_indicators
from tests.engine.test_analytics_files import _same_build


class InTurn(tables._Writer):
    """The writer run in the caller's thread, each write done when submitted: the build as it
    was before decision 073."""

    def submit(self, task, *args):
        self.done.append(task(*args))


@pytest.fixture(scope="module")
def source():
    return tables.FrameSource.from_synth(synth.generate("gansu", scale=0.02))


def writers(monkeypatch):
    """The names of the threads that wrote each file."""
    seen: dict = {}
    write = tables._write

    def recording(frame, path):
        seen[path] = threading.current_thread().name
        write(frame, path)

    monkeypatch.setattr(tables, "_write", recording)
    return seen


def no_writer_left():
    return not [t for t in threading.enumerate() if t.name.startswith("gaoxin-analytics")]


def test_a_build_writing_beside_its_work_equals_one_writing_in_turn(source, tmp_path, monkeypatch):
    """The whole catalogue, the monthly values in groups of provinces (as at national scale),
    then one month changed and the narrowed rebuild: every file and meta.json the same."""
    monkeypatch.setattr(tables, "ROWS_AT_ONCE", 1_000)  # 82 entities, 3 years of months
    seen = writers(monkeypatch)
    obs = source._obs
    firm = obs.filter(pl.col("period") == "2025-07")["entity"][0]
    hit = (pl.col("entity") == firm) & (pl.col("period") == "2025-07")
    moved = tables.FrameSource(
        source.entities(),
        obs.with_columns(value=pl.when(hit).then(pl.col("value") * 1.01).otherwise("value")),
        source.certifications(),
    )
    for how in ("beside", "in_turn"):
        if how == "in_turn":
            monkeypatch.setattr(tables, "_Writer", InTurn)
        root = tmp_path / how
        whole = tables.build_tables(source, root / "full")
        narrowed = tables.build_tables(
            moved, root / "zone", previous=root / "full", changed=["2025-07"]
        )
        assert whole.rebuilt == tuple(range(2019, 2026))
        assert narrowed.rebuilt == (2025,)
        if how == "beside":
            threads = {str(p.relative_to(root)): t for p, t in seen.items() if root in p.parents}
            assert threads["full/facts/month/2025.parquet"].startswith("gaoxin-analytics")
            assert threads["full/observations/2025/2025-07.parquet"].startswith("gaoxin-analytics")
            assert threads["full/indicators/2025.parquet"].startswith("gaoxin-analytics")
            assert threads["zone/indicators/2025.parquet"].startswith("gaoxin-analytics")
            assert threads["full/entities.parquet"] == threading.main_thread().name
    files = _same_build(tmp_path / "beside" / "full", tmp_path / "in_turn" / "full")
    assert len(files) > 50
    _same_build(tmp_path / "beside" / "zone", tmp_path / "in_turn" / "zone")
    assert no_writer_left()


@pytest.mark.parametrize(
    "failing", ["observations/2021/2021.", "facts/month/2025", "indicators/2022"]
)
def test_a_failed_write_fails_the_build_in_the_caller_and_leaves_no_build(
    source, tmp_path, monkeypatch, failing
):
    """The write of one file raises in the writer's thread: the build raises that error, having
    built at most one year more; meta.json, which makes a directory a build, is not written (a
    facts or observations file) or the caller is told before it could swap it in (an indicator
    file: statistics.analytics removes the directory), and no writer thread is left."""
    write = tables._write
    built_years: list[int] = []
    build_facts = tables.build_facts

    def counting(*args, **kwargs):
        facts = build_facts(*args, **kwargs)
        built_years.append(int(kwargs["only_periods"][0][:4]))
        return facts

    def failing_write(frame, path):
        if failing in str(path):
            raise OSError(28, "No space left on device", str(path))
        write(frame, path)

    monkeypatch.setattr(tables, "_write", failing_write)
    monkeypatch.setattr(tables, "build_facts", counting)
    out = tmp_path / "full"
    revenue = [i for i in default_indicators() if i.code == "revenue"]
    with pytest.raises(OSError, match="No space left on device") as raised:
        tables.build_tables(source, out, indicators=revenue)
    assert failing in raised.value.filename
    assert no_writer_left()
    if failing.startswith("indicators"):
        assert built_years == list(range(2019, 2026))
        # the next year's file was not written: the error came with its submission
        assert (out / "indicators" / "2021.parquet").is_file()
        assert not (out / "indicators" / "2023.parquet").exists()
    else:
        year = int(failing.split("/")[-1][:4])
        assert built_years[-1] <= year + 1
        assert tables.read_meta(out) is None
        with pytest.raises(FileNotFoundError):
            tables.load_facts(out)


def test_an_error_in_the_build_waits_for_the_write_under_way(source, tmp_path, monkeypatch):
    """The caller's own error (here 2021's facts) is raised once the writer has finished the year
    before: the caller may then remove the directory, nothing writes into it any more."""
    started, finished = threading.Event(), threading.Event()
    write_year = tables._write_year
    build_facts = tables.build_facts

    def slow_write_year(out, year, *rest):
        if year != 2020:
            return write_year(out, year, *rest)
        started.set()
        finished.wait(0.5)  # still writing when 2021's facts fail
        done = write_year(out, year, *rest)
        finished.set()
        return done

    def failing_facts(*args, **kwargs):
        if kwargs["only_periods"][0].startswith("2021"):
            started.wait()
            raise RuntimeError("2021")
        return build_facts(*args, **kwargs)

    monkeypatch.setattr(tables, "_write_year", slow_write_year)
    monkeypatch.setattr(tables, "build_facts", failing_facts)
    with pytest.raises(RuntimeError, match="2021"):
        tables.build_tables(source, tmp_path / "full")
    assert finished.is_set() and no_writer_left()
    assert (tmp_path / "full" / "observations" / "2020" / "2020.parquet").is_file()
    assert not (tmp_path / "full" / "facts" / "year" / "2021.parquet").exists()
