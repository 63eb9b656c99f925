"""The reference geography shipped in ``data/``: 95 communes, 8 territories, boundaries, aliases.

Files are read and checked before anything is written to a database; a file that fails its
checks raises :class:`ReferenceDataError` with a French message naming the file and the problem.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from essdash.domain.errors import ReferenceDataError
from essdash.domain.rules import Box
from essdash.store.config import DATA_DIR

EXPECTED_COMMUNES = 95
EXPECTED_TERRITORIES = 8
ATTRIBUTION = (
    "Sources : INSEE (COG 2026, populations légales 2023), DGCL, via @etalab/decoupage-administratif "
    "(Licence Ouverte) ; IGN ADMIN EXPRESS COG 2018 via france-geojson (Licence Ouverte) ; "
    "découpage territorial : MEL (scripts SIG G_GEO)"
)


@dataclass(frozen=True)
class TerritoryRef:
    code: str
    name: str
    mel_gis_code: str
    position: int
    population: int
    n_communes: int


@dataclass(frozen=True)
class CommuneRef:
    insee_code: str
    name: str
    territory_code: str
    population: int
    member_since: int
    lat: float
    lon: float
    territory_confidence: str


@dataclass(frozen=True)
class AliasRef:
    alias_code: str
    alias_name: str
    alias_type: str
    since: date
    insee_code: str


@dataclass(frozen=True)
class Reference:
    territories: tuple[TerritoryRef, ...]
    communes: tuple[CommuneRef, ...]
    aliases: tuple[AliasRef, ...]

    def resolve_insee(self, code: str) -> str | None:
        """The current INSEE code for ``code`` (itself, or the commune an old code maps to)."""
        code = code.strip()
        if any(c.insee_code == code for c in self.communes):
            return code
        return next((a.insee_code for a in self.aliases if a.alias_code == code), None)


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReferenceDataError(f"Fichier de référence illisible : {path.name} ({exc}).") from exc


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReferenceDataError(f"Fichier de référence illisible : {path.name} ({exc}).") from exc


def _fail(path: Path, message: str) -> None:
    raise ReferenceDataError(f"Données de référence invalides ({path.name}) : {message}")


def load_reference(data_dir: Path = DATA_DIR) -> Reference:
    """Read and check the reference files; raise ``ReferenceDataError`` on any inconsistency."""
    communes_path = data_dir / "communes.csv"
    territories_path = data_dir / "territories.geojson"
    aliases_path = data_dir / "insee_aliases.csv"
    try:
        communes = tuple(
            CommuneRef(
                insee_code=row["insee_code"],
                name=row["name"],
                territory_code=row["territory_code"],
                population=int(row["population"]),
                member_since=int(row["member_since"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                territory_confidence=row["territory_confidence"],
            )
            for row in _read_csv(communes_path)
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ReferenceDataError(
            f"Données de référence invalides ({communes_path.name}) : colonne ou valeur incorrecte ({exc})."
        ) from exc
    features = _read_json(territories_path).get("features", [])
    try:
        territories = tuple(
            TerritoryRef(
                code=f["properties"]["code"],
                name=f["properties"]["name"],
                mel_gis_code=str(f["properties"]["mel_gis_code"]),
                position=i,
                population=int(f["properties"]["population"]),
                n_communes=int(f["properties"]["n_communes"]),
            )
            for i, f in enumerate(features)
        )
        aliases = tuple(
            AliasRef(
                row["alias_code"],
                row["alias_name"],
                row["alias_type"],
                date.fromisoformat(row["since"]),
                row["insee_code"],
            )
            for row in _read_csv(aliases_path)
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ReferenceDataError(f"Données de référence invalides : propriété manquante ({exc}).") from exc
    _check(communes, territories, aliases, communes_path, territories_path, aliases_path)
    return Reference(territories, communes, aliases)


def _check(communes, territories, aliases, communes_path, territories_path, aliases_path) -> None:
    codes = [c.insee_code for c in communes]
    if len(communes) != EXPECTED_COMMUNES or len(set(codes)) != len(codes):
        _fail(communes_path, f"{EXPECTED_COMMUNES} communes distinctes attendues, {len(set(codes))} trouvées.")
    if any(len(code) != 5 or not code.isdigit() for code in codes):
        _fail(communes_path, "un code INSEE n'a pas 5 chiffres.")
    if len(territories) != EXPECTED_TERRITORIES:
        _fail(territories_path, f"{EXPECTED_TERRITORIES} territoires attendus, {len(territories)} trouvés.")
    by_code = {t.code: t for t in territories}
    for commune in communes:
        if commune.territory_code not in by_code:
            _fail(communes_path, f"{commune.name} est rattachée à un territoire inconnu « {commune.territory_code} ».")
        if commune.population <= 0:
            _fail(communes_path, f"{commune.name} a une population nulle ou négative.")
    for territory in territories:
        members = [c for c in communes if c.territory_code == territory.code]
        if len(members) != territory.n_communes or sum(c.population for c in members) != territory.population:
            _fail(territories_path, f"{territory.name} ne correspond pas à la liste de ses communes.")
    for alias in aliases:
        if alias.insee_code not in codes or alias.alias_code in codes:
            _fail(aliases_path, f"l'alias {alias.alias_code} ({alias.alias_name}) ne renvoie pas à une commune membre.")


@lru_cache(maxsize=4)
def boundaries(level: str, data_dir: Path = DATA_DIR) -> dict:
    """The GeoJSON FeatureCollection of ``"commune"`` or ``"territory"`` boundaries."""
    name = {"commune": "communes.geojson", "territory": "territories.geojson"}[level]
    return _read_json(data_dir / name)


def _rings(geometry: dict) -> list[list[list[float]]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


def inside_metropolis(lat: np.ndarray, lon: np.ndarray, data_dir: Path = DATA_DIR) -> np.ndarray:
    """Whether each point lies inside one of the 8 territories (even–odd ray casting, vectorised).

    Each territory is tested on its own (its rings: outer boundary and any holes), so shared
    borders between territories do not cancel out.
    """
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    inside_any = np.zeros(lat.shape, dtype=bool)
    for feature in boundaries("territory", data_dir)["features"]:
        inside = np.zeros(lat.shape, dtype=bool)
        for ring in _rings(feature["geometry"]):
            xs, ys = np.array([p[0] for p in ring]), np.array([p[1] for p in ring])
            for x1, y1, x2, y2 in zip(xs[:-1], ys[:-1], xs[1:], ys[1:]):
                if y1 == y2:
                    continue
                crosses = (y1 > lat) != (y2 > lat)
                x_at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
                inside ^= crosses & (lon < x_at)
        inside_any |= inside
    return inside_any


def bounds(level: str, code: str, data_dir: Path = DATA_DIR) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """((south, west), (north, east)) of a commune (INSEE code) or territory (slug)."""
    key = "insee_code" if level == "commune" else "code"
    for feature in boundaries(level, data_dir)["features"]:
        if feature["properties"][key] == code:
            points = [p for ring in _rings(feature["geometry"]) for p in ring]
            lons, lats = [p[0] for p in points], [p[1] for p in points]
            return (min(lats), min(lons)), (max(lats), max(lons))
    return None


BOX_MARGIN = 0.05  # degrees (about 5 km north–south, 3.5 km east–west): a point just past the border


@lru_cache(maxsize=1)
def metropolis_box() -> Box:
    """The box a project's point may lie in: the territories' boundaries, widened by :data:`BOX_MARGIN`
    (the forms', the import's and the restore's rule)."""
    corners = [
        corner for territory in load_reference().territories for corner in bounds("territory", territory.code) or ()
    ]
    return Box.around(corners, BOX_MARGIN)
