"""The intervention PDF report lists the intervention's documents, and its timeline reads as
sentences with people's names (printed as written, in the shipped Unicode font) and plain
times: no ``None -> x``, no ids where a name exists."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from application.identity.use_cases.create_user import CreateUserCommand
from application.identity.use_cases.login import LoginCommand
from domain.shared.access import Role
from tests.e2e.documents.support import PDF, PNG, uploaded
from tests.e2e.identity.support import PASSWORD, SYSTEM, Session, unique_email
from tests.e2e.maintenance.support import Workshop, at, monday

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def _person(shop: Workshop, role: Role, first: str, last: str) -> Session:
    email = unique_email(role.value)
    container = shop.api.container
    view = await container.identity.create_user()(
        CreateUserCommand(
            actor=SYSTEM, email=email, password=PASSWORD, first_name=first, last_name=last,
            role=role,
        )
    )  # fmt: skip
    pair = await container.identity.login()(LoginCommand(email=email, password=PASSWORD))
    return Session(str(view.id), email, pair.access_token, pair.refresh_token)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


async def test_the_report_names_people_and_lists_documents(shop: Workshop) -> None:
    zoe = await _person(shop, Role.TECHNICIAN, "Zoë", "Łukasiewicz")
    irina = await _person(shop, Role.CLIENT, "Ирина", "Дюбуа")
    profile = await shop.technician_profile(zoe, skills=["hydraulics"], specialty="presses")
    machine = await shop.equipment(owner=irina)
    job = await shop.intervention(irina, machine["id"], title="Fuite d'huile \u2013 presse n°2")
    day = monday()
    await shop.ok(
        shop.manager, "POST", f"/interventions/{job['id']}/assign",
        json={"technician_id": profile["id"], "scheduled_at": at(day, 9),
              "estimated_minutes": 90},
    )  # fmt: skip
    await shop.ok(zoe, "POST", f"/interventions/{job['id']}/start")
    await shop.ok(
        zoe, "POST", f"/interventions/{job['id']}/complete", json={"report": "Joint changé."}
    )
    await uploaded(shop, shop.manager, PDF, filename="facture-çà.pdf", kind="invoice",
                   intervention_id=job["id"])  # fmt: skip
    await uploaded(shop, zoe, PNG, filename="après.png", kind="photo", intervention_id=job["id"])

    answer = await shop.call(irina, "GET", f"/interventions/{job['id']}/report.pdf")
    assert answer.status_code == 200
    text = _text(answer.content)
    flat = " ".join(text.split())
    assert "Fuite d'huile \u2013 presse n°2" in flat
    assert "Ирина Дюбуа opened the intervention" in flat
    assert "assigned the intervention to Zoë Łukasiewicz" in flat
    assert "Zoë Łukasiewicz started the work" in flat
    assert 'Zoë Łukasiewicz completed the intervention. Report: "Joint changé."' in flat
    assert "facture-çà.pdf - invoice" in flat
    assert "encrypted" in flat
    assert "après.png - photo" in flat
    assert "None" not in flat
    assert "->" not in flat
    assert not UUID_TEXT.search(text.replace(job["id"], "")), text
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC", flat)
