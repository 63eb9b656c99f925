"""The restore's rule book knows the open-data columns: a backup whose carrier has a SIRET with a
wrong key, an RNA number without its « W », or a funding with an unknown nature is refused in French."""

import pytest

from essdash.domain import models as m
from essdash.domain.errors import BackupError
from essdash.store.row_rules import check_rows


def _carrier(**changes) -> tuple:
    row = {
        "id": 1,
        "name": "Association Le Panier",
        "legal_form": "association",
        "commune_code": "59512",
        "created_year": 2004,
        "legal_form_text": None,
        "siret": "38047555800058",
        "rna": "W590001234",
        **changes,
    }
    return tuple(row[column.name] for column in m.Organisation.__table__.columns)


def test_a_carrier_with_valid_identifiers_passes():
    assert check_rows(m.Organisation.__table__, [_carrier(), _carrier(id=2, siret=None, rna=None)], "copie.db") == 2


@pytest.mark.parametrize(
    "changes, words",
    [({"siret": "38047555800059"}, "clé de contrôle"), ({"rna": "590001234"}, "RNA")],
)
def test_a_carrier_with_a_wrong_identifier_is_refused(changes, words):
    with pytest.raises(BackupError, match=f"table « organisation », ligne id 1, colonne .*{words}"):
        check_rows(m.Organisation.__table__, [_carrier(**changes)], "copie.db")


def test_a_funding_with_an_unknown_nature_is_refused():
    row = {column.name: None for column in m.Funding.__table__.columns}
    row.update(id=1, project_id=1, funder_id=1, type="subvention", amount=1000.0, year=2013, nature="virement")
    with pytest.raises(BackupError, match="colonne « nature »"):
        check_rows(m.Funding.__table__, [tuple(row.values())], "copie.db")
