"""The cached engine and the data caches: every read of the pages goes through :func:`read` or :func:`compute`,
every chart through :func:`chart`."""

from __future__ import annotations

import importlib
from dataclasses import replace

import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain.errors import EssdashError
from essdash.render import charts
from essdash.store.config import get_settings
from essdash.store.db import open_database


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


@st.cache_data(show_spinner=False, max_entries=128)
def _computed(module: str, name: str, *args, **kwargs):
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def compute(func, *args, **kwargs):
    """Run a pure function of essdash (no engine) through the data cache, keyed by its arguments."""
    return _computed(func.__module__, func.__name__, *args, **kwargs)


@st.cache_data(show_spinner=False, max_entries=256)
def _chart_spec(module: str, name: str, projector: bool, *args, **kwargs) -> dict:
    chart = getattr(importlib.import_module(module), name)(*args, **kwargs)
    return charts.vega_lite(charts.for_projector(chart) if projector else chart)


def chart(build, *args, width: str | int = "stretch", projector: bool = False, **kwargs) -> None:
    """Draw the altair chart ``build(*args, **kwargs)`` (larger text with ``projector``).

    Its Vega-Lite spec goes through the data cache, keyed by the builder and its arguments: a rerun
    or another session drawing the same chart of the same data reuses the spec instead of building
    and converting the chart again.
    """
    st.vega_lite_chart(_chart_spec(build.__module__, build.__name__, projector, *args, **kwargs), width=width)
