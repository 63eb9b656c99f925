"""The lifecycle of a semester's values, as pure rules: which step leaves which state, who takes it,
which steps need a reason, and when values may still be entered."""

import pytest

from essdash.domain import access, approval, models_evaluation
from essdash.domain.access import Place, Scope
from essdash.domain.approval import SemesterState
from essdash.domain.vocabulary import IncidentKind, Role

S = SemesterState
# step → (states it leaves, state it reaches), written out from the issue, not read from the code
EXPECTED = {
    "soumettre": ({S.ENTRY}, S.SUBMITTED),
    "valider": ({S.SUBMITTED}, S.VALIDATED),
    "renvoyer": ({S.SUBMITTED, S.VALIDATED}, S.ENTRY),
    "verrouiller": ({S.VALIDATED}, S.LOCKED),
    "rouvrir": ({S.LOCKED}, S.ENTRY),
}


@pytest.mark.parametrize("code", EXPECTED)
def test_each_step_leaves_only_its_states(code):
    step = approval.step_of(code)
    sources, target = EXPECTED[code]
    assert step.target is target
    for state in SemesterState:
        refusal = approval.step_refusal(step, state, "Territoire Lillois", "2e semestre 2014")
        assert (refusal is None) == (state in sources), (code, state)
        if refusal:
            assert refusal.startswith("Territoire Lillois, 2e semestre 2014 : les valeurs sont")


def test_an_unknown_step_is_refused_in_french():
    with pytest.raises(ValueError, match="étape « publier » inconnue"):
        approval.step_of("publier")


@pytest.mark.parametrize("code", EXPECTED)
def test_sending_back_and_reopening_need_a_reason(code):
    step = approval.step_of(code)
    needs = code in ("renvoyer", "rouvrir")
    assert (approval.reason_refusal(step, "  ") is not None) == needs
    assert approval.reason_refusal(step, "Valeur erronée.") is None


def test_values_are_entered_only_in_entry():
    assert approval.entry_refusal(S.ENTRY, "Lys", "1er semestre 2013") is None
    assert "renvoyer en saisie" in approval.entry_refusal(S.SUBMITTED, "Lys", "1er semestre 2013")
    assert "renvoyer en saisie" in approval.entry_refusal(S.VALIDATED, "Lys", "1er semestre 2013")
    locked = approval.entry_refusal(S.LOCKED, "Lys", "1er semestre 2013")
    assert locked == (
        "les valeurs de Lys pour le 1er semestre 2013 sont « verrouillé » : un administrateur doit d'abord "
        "rouvrir le semestre, avec un motif."
    )


def test_only_validated_or_locked_values_are_not_provisional():
    assert [s for s in SemesterState if not approval.provisional(s)] == [S.VALIDATED, S.LOCKED]


# role → steps it may take (technician: at its own territory only), from the issue
WHO = {
    Role.ADMIN: {"soumettre", "valider", "renvoyer", "verrouiller", "rouvrir"},
    Role.MISSION: {"soumettre", "valider", "renvoyer", "verrouiller"},
    Role.CHAIR: set(),
    Role.TECHNICIAN: {"soumettre"},
    Role.MEMBER: set(),
}


@pytest.mark.parametrize("role", list(WHO))
def test_who_takes_which_step(role):
    scope = Scope("roubaisien", frozenset({"59512"}))
    mine, other = Place(territories=frozenset({"roubaisien"})), Place(territories=frozenset({"lillois"}))
    for code in EXPECTED:
        deed = approval.step_of(code).deed
        assert (access.refusal(role, deed, mine, scope) is None) == (code in WHO[role]), (role, code)
    if role is Role.TECHNICIAN:
        assert "hors de votre périmètre" in access.refusal(role, approval.SUBMIT.deed, other, scope)
        assert "toute la métropole" in access.refusal(role, approval.SUBMIT.deed, Place(), scope)


def test_the_tables_check_the_same_codes_as_the_domain():
    assert tuple(s.value for s in SemesterState) == models_evaluation.STATES
    assert tuple(approval.STEPS) == models_evaluation.STEPS
    assert tuple(k.value for k in IncidentKind) == models_evaluation.INCIDENT_KINDS
