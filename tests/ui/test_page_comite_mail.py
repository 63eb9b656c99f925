"""The Comité page sends a meeting's convocation and pack, through app.py, to a real SMTP server started
by the test: a confirmation box first, then one message per member convened, reported in French; a
second click sends nothing; a technician only reads."""

from __future__ import annotations

from essdash.domain import fmt
from essdash.write import members
from essdash.write.actor import Actor
from tests.fixtures.mail import smtp  # noqa: F401  (a fixture)

LOCAL = Actor("Claire Martin", "mission ESS")
OPEN = {"c_tab": "Séances", "c_mail_open": True}
NEXT_COMMITTEE = 64  # the demo's committee of 16/12/2014, the first meeting after its reference date
PLACE = "Hôtel de la Métropole, salle du conseil, 14 h 30"


def _submit(at):
    next(b for b in at.button if b.label == "Envoyer la convocation").click().run()
    return at


def test_the_secretariat_sends_the_convocation_from_the_committee_page(writable_app, smtp):  # noqa: F811
    make, engine = writable_app
    for email, role in (
        ("presidente@mel.fr", "presidence"),
        ("membre@mel.fr", "membre"),
        ("mission@mel.fr", "mission"),
    ):
        members.save_member(engine, LOCAL, email, role)
    members.save_member(engine, LOCAL, "tech@mel.fr", "technicien", territory="roubaisien")
    at = make("pages/comite.py", state=OPEN)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="mail_meeting").value == NEXT_COMMITTEE
    assert "**Destinataires** (3," in " ".join(md.value for md in at.markdown)
    at.text_input(key=f"mail_place_{NEXT_COMMITTEE}").input(PLACE).run()
    at.text_input(key="sig-mail").input("Claire Martin")
    at.selectbox(key="sig-mail-role").select("mission ESS")
    _submit(at)
    assert "Cochez la case de confirmation" in at.error[0].value and not smtp.messages
    at.checkbox(key="mail_confirm").check()
    _submit(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == f"Convocation de la séance n° {NEXT_COMMITTEE} envoyée à 3 destinataires."
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.messages) == [
        "membre@mel.fr",
        "mission@mel.fr",
        "presidente@mel.fr",
    ]
    message = smtp.messages[0]
    assert message["Subject"] == "Convocation — Comité métropolitain de l'ESS — mardi 16/12/2014"
    body = message.get_body(("plain",)).get_content()
    assert PLACE in body and "Données fictives de démonstration" in body
    (pack,) = list(message.iter_attachments())
    assert pack.get_filename() == "pack-comite-2014-S2.pdf" and pack.get_content().startswith(b"%PDF")
    assert len(at.dataframe[-1].value) == 3  # the sends of the meeting, journaled
    at.checkbox(key="mail_confirm").check()
    _submit(at)  # a second click, without « renvoyer »: nothing is sent
    assert "déjà envoyée" in at.warning[0].value and len(smtp.messages) == 3


def test_a_technician_only_reads_the_send(shared):
    visit, _, _ = shared
    at = visit("tech.roubaix@mel.fr", "pages/comite.py", state=OPEN)
    assert not at.exception
    assert any("ne permet pas d'envoyer la convocation" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "Envoyer la convocation"]


def test_without_smtp_settings_the_page_says_what_is_missing_and_sends_nothing(app, monkeypatch):
    monkeypatch.setenv("ESSDASH_SECRETS", "/nonexistent/secrets.toml")
    for variable in ("ESSDASH_SMTP_HOST", "ESSDASH_SMTP_SENDER", "ESSDASH_PUBLIC_URL"):
        monkeypatch.delenv(variable, raising=False)
    at = app("pages/comite.py", state=OPEN)
    assert not at.exception
    warning = at.warning[0].value
    assert "Envoi non configuré" in warning and fmt.md_escape("manquant (host, sender, public_url)") in warning
    assert at.selectbox(key="mail_meeting").value == NEXT_COMMITTEE  # the meeting and its sends still show
    assert not [b for b in at.button if b.label == "Envoyer la convocation"]
