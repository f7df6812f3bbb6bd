"""What the enterprise-scheme benchmarks share (bench_enterprise_inputs.py and the two
before/after ones, decision 051): the process's CPU clock, the yearly fact frame of the synthetic
national jurisdiction, and an older version's ``evaluate`` and ``evaluation_inputs`` loaded beside
this one's."""

import importlib.util
import resource
import sys
import time
import types
from pathlib import Path

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl

from gaoxin.engine import synth
from gaoxin.engine.facts import from_synth


def cpu() -> float:
    """User + system CPU of this process, in seconds."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def enterprise_facts(scale: float):
    """The fact frame of ``national`` at ``scale``, years 2023–2025, yearly statistics only (the
    schemes read yearly variables and certifications; the monthly frame would add ≈ 10 GiB at
    scale 70 and no work to these steps)."""
    t = time.perf_counter()
    j = synth.generate("national", scale=scale, first_year=2023, last_year=2025)
    yearly = j.observations.filter(pl.col("period").str.len_chars() == 4)
    j = synth.Jurisdiction(**{**j.__dict__, "observations": yearly})
    facts = from_synth(j)
    print(f"set-up {time.perf_counter() - t:.0f} s", flush=True)
    return facts


def older_pipeline(src: Path) -> types.ModuleType:
    """``gaoxin.engine.composite.pipeline`` of the checkout whose ``src`` is given, with that
    version's ``results.py``; the rest of the engine is this version's."""
    old = Path(src) / "gaoxin" / "engine" / "composite"
    spec = importlib.util.spec_from_file_location("before_results", old / "results.py")
    results = importlib.util.module_from_spec(spec)
    sys.modules["before_results"] = results
    spec.loader.exec_module(results)
    source = (old / "pipeline.py").read_text()
    source = source.replace(
        "from gaoxin.engine.composite.results import", "from before_results import"
    )
    pipeline = types.ModuleType("before_pipeline")
    sys.modules["before_pipeline"] = pipeline
    exec(compile(source, str(old / "pipeline.py"), "exec"), pipeline.__dict__)
    return pipeline


def older_inputs(src: Path) -> types.ModuleType:
    """``gaoxin.engine.composite.inputs`` of the checkout whose ``src`` is given, with that
    version's ``gaoxin.engine.indicators`` (whose ``compute`` it calls); the rest of the engine
    is this version's."""
    engine = Path(src) / "gaoxin" / "engine"
    spec = importlib.util.spec_from_file_location("before_indicators", engine / "indicators.py")
    indicators = importlib.util.module_from_spec(spec)
    sys.modules["before_indicators"] = indicators
    spec.loader.exec_module(indicators)
    source = (engine / "composite" / "inputs.py").read_text()
    source = source.replace("from gaoxin.engine.indicators import", "from before_indicators import")
    source = source.replace("from .spec import", "from gaoxin.engine.composite.spec import")
    inputs = types.ModuleType("before_inputs")
    sys.modules["before_inputs"] = inputs
    exec(compile(source, str(engine / "composite" / "inputs.py"), "exec"), inputs.__dict__)
    return inputs
