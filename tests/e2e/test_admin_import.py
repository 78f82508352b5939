"""``POST /sim/v1/import/persons``: the JSON import document through the admin API."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.pki.card_files import KEY_FILE
from simulator.store import SqlUnitOfWork

EXAMPLE = json.loads((Path(__file__).parents[2] / "datasets" / "import"
                      / "example-persons.json").read_text(encoding="utf-8"))
URL = "/sim/v1/import/persons"


def test_the_example_is_imported_and_its_persons_are_named_by_their_id(
        admin_client, admin_headers) -> None:
    response = admin_client.post(URL, json=EXAMPLE, headers=admin_headers)
    cards = admin_client.get("/sim/v1/cards?person=yoko", headers=admin_headers)

    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["imported"] == {"persons": 5, "qualifications": 6, "cards": 1, "drugs": 2,
                                  "checkups": 1, "insurers": 3}
    assert answer["replaced"] == 0
    assert Path(answer["cards"]["yoko"]).parts[-3:] == ("cards", "_imported", "yoko")
    assert (Path(answer["cards"]["yoko"]) / KEY_FILE).is_file()
    (card,) = cards.get_json()["cards"]
    assert card["insurance_registered_at"] == "2024-10-01T00:00:00+09:00"


def test_a_refused_body_lists_every_problem_and_stores_nothing(
        admin_client, admin_headers, engine) -> None:
    document = json.loads(json.dumps(EXAMPLE))
    document["persons"][1]["birthdate"] = "1982-02-30"
    document["persons"][3]["qualifications"][1]["number"] = "12345679"
    document["persons"][4]["nickname"] = "よう"

    response = admin_client.post(URL, json=document, headers=admin_headers)

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", "persons[1].birthdate")
    assert error["message"] == "body: 3件の誤りがあるため、何も取り込みませんでした。"
    assert [problem["field"] for problem in error["errors"]] == [
        "persons[1].birthdate", "persons[3].qualifications[1].number", "persons[4].nickname"]
    with SqlUnitOfWork(engine) as uow:
        assert uow.repo.counts()["persons"] == 0


def test_the_same_ids_again_are_refused_unless_replace(admin_client, admin_headers) -> None:
    admin_client.post(URL, json=EXAMPLE, headers=admin_headers)

    again = admin_client.post(URL, json=EXAMPLE, headers=admin_headers)
    replaced = admin_client.post(f"{URL}?replace=1", json=EXAMPLE, headers=admin_headers)

    assert again.status_code == 400
    assert [p["field"] for p in again.get_json()["error"]["errors"]] == [
        f"persons[{n}].id" for n in range(5)]
    assert replaced.status_code == 201
    assert replaced.get_json()["replaced"] == 5


def test_a_body_that_is_not_json_is_refused_with_its_place(admin_client, admin_headers):
    response = admin_client.post(URL, data=b'{"persons": [}', headers=admin_headers,
                                 content_type="application/json")

    assert response.status_code == 400
    (problem,) = response.get_json()["error"]["errors"]
    assert problem["message"].startswith("JSONとして読めません（1行 14列")
