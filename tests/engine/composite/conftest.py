from pathlib import Path

import polars as pl
import pytest

from gaoxin.engine.composite import evaluate, load_framework, read_data

REF = Path(__file__).resolve().parents[2] / "reference"
ASEM_YAML = REF / "asem.yaml"
ASEM_DATA = REF / "coinr" / "01_input_iData.csv"
ASEM_META = REF / "coinr" / "01_input_iMeta.csv"


@pytest.fixture(scope="session")
def asem_fw():
    return load_framework(ASEM_YAML)


@pytest.fixture(scope="session")
def asem_data() -> pl.DataFrame:
    return read_data(str(ASEM_DATA))


@pytest.fixture(scope="session")
def asem_meta() -> pl.DataFrame:
    return pl.read_csv(ASEM_META, null_values=["NA"])


@pytest.fixture(scope="session")
def asem(asem_fw, asem_data):
    return evaluate(asem_fw, asem_data)
