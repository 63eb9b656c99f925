"""Commune names as partners write them: abbreviations, hyphens, apostrophes, accents and case, short
forms; a short form naming two communes is refused with both names; an unknown name gets the nearest
names. INSEE codes read by hand in data/communes.csv and data/insee_aliases.csv."""

import pytest

from essdash.write.imports.places import Places
from essdash.write.imports.rows import Row

SAINT_ANDRE = "59527"  # Saint-André-lez-Lille
VILLENEUVE = "59009"  # Villeneuve-d'Ascq
WRITTEN = {  # read since the short forms and the key without spaces
    "St André": SAINT_ANDRE,
    "St. André": SAINT_ANDRE,
    "Saint André": SAINT_ANDRE,
    "st-andre": SAINT_ANDRE,
    "Villeneuve dAscq": VILLENEUVE,
    "Marcq": "59378",  # Marcq-en-Barœul
    "Noyelles": "59437",  # Noyelles-lès-Seclin
    "Quesnoy": "59482",  # Quesnoy-sur-Deûle
    "Flers": VILLENEUVE,  # Flers-lez-Lille, a former commune (alias)
}
STILL_READ = {  # read before, and still (the key runs the words together now)
    "St André lez Lille": SAINT_ANDRE,
    "ST-ANDRÉ-LÈS-LILLE": SAINT_ANDRE,
    "Saint-André-les-Lille": SAINT_ANDRE,
    "Saint André-lez - Lille": SAINT_ANDRE,
    "Villeneuve d Ascq": VILLENEUVE,
    "Villeneuve-d'Ascq": VILLENEUVE,
    "VILLENEUVE D'ASCQ": VILLENEUVE,
    "Villeneuve d’Ascq": VILLENEUVE,
    "villeneuve--d'ascq": VILLENEUVE,
    "Flers lez Lille": VILLENEUVE,
    "Marcq en Baroeul": "59378",
    "Noyelles les Seclin": "59437",
    "Allennes lez Marais": "59005",  # Allennes-les-Marais
    "La Chapelle d Armentieres": "59143",  # La Chapelle-d'Armentières
    "Hellemmes": "59350",  # Hellemmes-Lille, associated with Lille
}


@pytest.fixture
def places(empty_engine):
    with empty_engine.connect() as conn:
        return Places(conn)


def _commune(places: Places, typed: str) -> tuple[str | None, list[str]]:
    issues = []
    row = Row(4, {"commune": typed}, {"commune": "Commune"}, issues)
    return places.commune(row), [str(issue) for issue in issues]


@pytest.mark.parametrize("typed", list(WRITTEN))
def test_a_commune_written_the_partners_way_is_found(places, typed):
    assert _commune(places, typed) == (WRITTEN[typed], [])
    assert places.known(typed)


@pytest.mark.parametrize("typed", list(STILL_READ))
def test_the_spellings_read_before_are_still_read(places, typed):
    assert _commune(places, typed) == (STILL_READ[typed], [])


def test_a_short_form_naming_two_communes_is_refused_with_both(places):
    assert _commune(places, "Sainghin") == (
        None,
        [
            "Ligne 4, colonne « Commune » : « Sainghin » peut désigner « Sainghin-en-Mélantois » ou "
            "« Sainghin-en-Weppes » : précisez la commune."
        ],
    )


SUGGESTED = {
    "Villeneuve d'Asq": "« Villeneuve-d'Ascq »",  # suggested before too
    "St Andrée": "« Saint-André-lez-Lille »",  # near the short form « St André »
    "Sainghim": "« Sainghin-en-Mélantois » ou « Sainghin-en-Weppes »",  # near a short form of two
    # nearest first: erquinghemlys (ratio 20/23), then verlinghem and erquinghemlesec (0.8 each,
    # difflib's tie order: the greater key first)
    "Erquinghem": "« Erquinghem-Lys », « Verlinghem » ou « Erquinghem-le-Sec »",
}


@pytest.mark.parametrize("typed", list(SUGGESTED))
def test_an_unknown_commune_gets_the_nearest_names(places, typed):
    assert _commune(places, typed) == (
        None,
        [
            f"Ligne 4, colonne « Commune » : commune « {typed} » inconnue dans la métropole. "
            f"Vouliez-vous dire {SUGGESTED[typed]} ?"
        ],
    )


def test_a_commune_far_from_any_gets_no_suggestion(places):
    assert _commune(places, "Atlantis") == (
        None,
        ["Ligne 4, colonne « Commune » : commune « Atlantis » inconnue dans la métropole."],
    )
