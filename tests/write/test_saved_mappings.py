"""Saved column mappings belong to their author's role: a name saved by a role with more rights is
not replaced by one with fewer (technicien < mission ESS < administrateur, the local person ranking
with the administrateur); the refusal is French and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from essdash.domain.errors import ImportFileError
from essdash.write import imports, members
from essdash.write.actor import Actor
from tests.fixtures.samples import dump

LOCAL = Actor("Claire Martin", "mission ESS")
NAME = "Ville de Roubaix"
PEOPLE = {  # e-mail → (name, role, territory)
    "admin@mel.fr": ("Alice Admin", "administrateur", None),
    "mission@mel.fr": ("Marc Mission", "mission", None),
    "tech.roubaix@mel.fr": ("Théo Roubaix", "technicien", "roubaisien"),
    "tech.lille@mel.fr": ("Léa Lille", "technicien", "lillois"),
}
CSV = (
    "Intitulé du projet;Porteur;Forme juridique;Commune;Statut\n"
    "Recyclerie;Association Recyclerie;association;Roubaix;proposé\n"
).encode()


@pytest.fixture
def base(empty_engine, monkeypatch):
    """One member per e-mail of :data:`PEOPLE`, in shared mode; ``save(email or None)`` saves the
    mapping :data:`NAME` as that member (``None``: the local person, in « poste local » mode)."""
    engine = empty_engine
    for email, (name, role, territory) in PEOPLE.items():
        members.save_member(engine, LOCAL, email, role, name=name, territory=territory)
    plan = imports.prepare(engine, CSV, "partenaire.csv", "projects")

    def save(email: str | None) -> None:
        if email is None:
            monkeypatch.delenv("ESSDASH_MODE", raising=False)
            imports.save_mapping(engine, plan, NAME, LOCAL)
        else:
            monkeypatch.setenv("ESSDASH_MODE", "partage")
            imports.save_mapping(engine, plan, NAME, Actor("?", "?", email))

    return engine, save


def _author(engine) -> tuple[str, str | None]:
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT author, account FROM importmapping WHERE name = :n"), {"n": NAME}).one())


def _refused(engine, save, email: str | None, by: str) -> None:
    before = dump(engine)
    with pytest.raises(ImportFileError) as refused:
        save(email)
    assert str(refused.value) == (
        f"Une correspondance « {NAME} » enregistrée par {by} existe déjà : choisissez un autre nom."
    )
    assert dump(engine) == before


def test_a_technician_cannot_replace_the_missions_mapping(base):
    engine, save = base
    save("mission@mel.fr")
    _refused(engine, save, "tech.roubaix@mel.fr", "Marc Mission (mission ESS)")
    assert _author(engine) == ("Marc Mission (mission ESS)", "mission@mel.fr")


def test_the_same_role_replaces_and_more_rights_replace_fewer(base):
    engine, save = base
    save("tech.roubaix@mel.fr")
    save("tech.lille@mel.fr")  # another technician: same role
    assert _author(engine) == ("Léa Lille (technicien)", "tech.lille@mel.fr")
    save("mission@mel.fr")  # the mission over a technician's
    assert _author(engine) == ("Marc Mission (mission ESS)", "mission@mel.fr")
    save("mission@mel.fr")  # its own again
    save("admin@mel.fr")  # an administrateur over the mission's
    assert _author(engine) == ("Alice Admin (administrateur)", "admin@mel.fr")
    _refused(engine, save, "mission@mel.fr", "Alice Admin (administrateur)")
    _refused(engine, save, "tech.lille@mel.fr", "Alice Admin (administrateur)")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM importmapping")).scalar_one() == 1


def test_the_local_persons_mapping_ranks_with_an_administrateurs(base):
    engine, save = base
    save(None)
    _refused(engine, save, "tech.roubaix@mel.fr", "Claire Martin (mission ESS)")
    _refused(engine, save, "mission@mel.fr", "Claire Martin (mission ESS)")
    save("admin@mel.fr")
    save(None)  # the local person replaces anyone's
    assert _author(engine) == ("Claire Martin (mission ESS)", None)


def test_a_mapping_whose_author_left_is_anyones(base):
    engine, save = base
    save("mission@mel.fr")
    members.remove_member(engine, Actor("x", "x", "admin@mel.fr"), "mission@mel.fr")
    save("tech.roubaix@mel.fr")
    assert _author(engine) == ("Théo Roubaix (technicien)", "tech.roubaix@mel.fr")
