"""The cached engine and the data caches: every read of the pages goes through :func:`read` or :func:`compute`,
every chart through :func:`chart`."""

from __future__ import annotations

import gc
import hashlib
import importlib
import pickle
from dataclasses import replace

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit import dataframe_util

from essdash.domain.errors import EssdashError
from essdash.render import charts
from essdash.store.config import get_settings
from essdash.store.db import open_database


def _fingerprint(frame: pd.DataFrame) -> bytes:
    """A DataFrame argument's cache key: the digest of its pickle, a tenth of the time of Streamlit's
    own hashing of a frame with text columns (the same frame, the same key; any change, another)."""
    return hashlib.blake2b(pickle.dumps(frame, protocol=5), digest_size=16).digest()


FRAMES = {pd.DataFrame: _fingerprint}


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
def _cached(module: str, name: str, url: str, *args, **kwargs):
    return getattr(importlib.import_module(module), name)(_engine(url), *args, **kwargs)


def read(func, *args, **kwargs):
    """Run a read function of essdash (engine first) through the data cache.

    The cache is keyed by the function, the database and the arguments; :func:`clear_reads`
    empties it after a write.
    """
    return _cached(func.__module__, func.__name__, get_settings().database_url, *args, **kwargs)


def clear_reads() -> None:
    _cached.clear()


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


def chart(build, *args, width: str | int = "stretch", projector: bool = False, **kwargs) -> None:
    """Draw the altair chart ``build(*args, **kwargs)`` (larger text with ``projector``).

    Its Vega-Lite spec goes through the data cache, keyed by the builder and its arguments: a rerun
    or another session drawing the same chart of the same data reuses the spec instead of building
    and converting the chart again.
    """
    st.vega_lite_chart(_chart_spec(build.__module__, build.__name__, projector, *args, **kwargs), width=width)
