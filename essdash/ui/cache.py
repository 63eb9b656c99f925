"""The cached engine and the data caches: every read of the pages goes through :func:`read` or :func:`compute`,
every chart through :func:`chart`.

A cached read is keyed by the data version (:mod:`essdash.store.version`), read once per script run:
a write committed anywhere (a form of this process, the command line, another process or another
server on the same base) moves it, so the next page run reads the base as it is now, while reruns
over an unchanged base reuse what was read.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import pickle
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit import dataframe_util
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from essdash.domain.errors import EssdashError
from essdash.render import charts
from essdash.store import version
from essdash.store.config import get_settings
from essdash.store.db import open_database


def _fingerprint(frame: pd.DataFrame) -> bytes:
    """A DataFrame argument's cache key: the digest of its pickle, a tenth of the time of Streamlit's
    own hashing of a frame with text columns (the same frame, the same key; any change, another)."""
    return hashlib.blake2b(pickle.dumps(frame, protocol=5), digest_size=16).digest()


FRAMES: dict[str | type[Any], Callable[[Any], Any]] = {pd.DataFrame: _fingerprint}


@st.cache_resource(show_spinner=False)
def settle_memory() -> bool:
    """Once per server process: move the objects alive by then (modules, libraries, Streamlit's own)
    out of the garbage collector's reach. Its full passes then walk only what pages create since,
    instead of pausing a random page run for a large part of a second under load."""
    gc.collect()
    gc.freeze()
    return True


@st.cache_resource(show_spinner="Préparation de la base de données…")
def _engine(url: str) -> Engine:
    return open_database(replace(get_settings(), database_url=url))


def engine() -> Engine:
    """The cached engine; on a database problem, a French error and the page stops."""
    try:
        return _engine(get_settings().database_url)
    except EssdashError as exc:
        st.error(f"**Impossible d'ouvrir les données.** {exc}")
        st.stop()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(module: str, name: str, url: str, stamp: str, *args, **kwargs):
    return getattr(importlib.import_module(module), name)(_engine(url), *args, **kwargs)


def read(func, *args, **kwargs):
    """Run a read function of essdash (engine first) through the data cache.

    The cache is keyed by the function, the database, the data version of this run and the
    arguments: what another writer committed since the last run is read anew."""
    url = get_settings().database_url
    return _cached(func.__module__, func.__name__, url, data_version(url), *args, **kwargs)


# The attribute of a script run's context that keeps the data version read in that run.
_RUN_VERSION = "_essdash_data_version"


def data_version(url: str) -> str:
    """The data version of the base, read once per script run (a new run, or a fragment's, reads it
    again); outside a script run, read each time."""
    ctx = get_script_run_ctx(suppress_warning=True)
    seen = getattr(ctx, _RUN_VERSION, None)
    if ctx is not None and seen is not None and seen[0] is ctx.cursors:  # the run's own dict, new at each run
        return seen[1]
    current = version.data_version(_engine(url))
    if ctx is not None:
        setattr(ctx, _RUN_VERSION, (ctx.cursors, current))
    return current


def clear_reads() -> None:
    """After a write of this run: the rest of the run reads the data version, so the base, anew."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        setattr(ctx, _RUN_VERSION, None)


@st.cache_data(show_spinner=False, max_entries=128, hash_funcs=FRAMES)
def _computed(module: str, name: str, *args, **kwargs):
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def compute(func, *args, **kwargs):
    """Run a pure function of essdash (no engine) through the data cache, keyed by its arguments."""
    return _computed(func.__module__, func.__name__, *args, **kwargs)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=FRAMES)
def _chart_spec(module: str, name: str, projector: bool, *args, **kwargs) -> dict:
    chart = getattr(importlib.import_module(module), name)(*args, **kwargs)
    spec = charts.vega_lite(charts.for_projector(chart) if projector else chart)
    # Tables sent as Streamlit sends them (Arrow), converted once here rather than at every run;
    # GeoJSON features stay in the spec, as Streamlit leaves them.
    for key, values in spec.get("datasets", {}).items():
        if not (values and isinstance(values[0], dict) and values[0].get("type") == "Feature"):
            spec["datasets"][key] = dataframe_util.convert_anything_to_arrow_bytes(values)
    return spec


def chart(
    build, *args, width: Literal["stretch", "content"] | int = "stretch", projector: bool = False, **kwargs
) -> None:
    """Draw the altair chart ``build(*args, **kwargs)`` (larger text with ``projector``).

    Its Vega-Lite spec goes through the data cache, keyed by the builder and its arguments: a rerun
    or another session drawing the same chart of the same data reuses the spec instead of building
    and converting the chart again.
    """
    st.vega_lite_chart(_chart_spec(build.__module__, build.__name__, projector, *args, **kwargs), width=width)
