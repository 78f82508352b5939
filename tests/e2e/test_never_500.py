"""Whatever a client sends, the interfaces answer in their own format, never with a 500."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.e2e import world
from tests.e2e.conftest import LOGIN, SEARCH, login

FILE = "/oqs/files/OQSsiquc01req_1.xml"
FIELDS = ["XmlMsg", "MessageHeader", "MessageBody", "QualificationConfirmSearchInfo",
          "QualificationConfirmationDate", "MedicalInstitutionCode", "InsurerNumber",
          "InsuredIdentificationNumber", "Birthdate", "InsuredBranchNumber"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(body=json_values)
@example(body={"XmlMsg": "\x1f"})  # found by this test: lxml refuses control characters
@example(body={"XmlMsg": {"MessageHeader": {"MedicalInstitutionCode": "13\x00"}}})
def test_any_json_search_gets_an_answer_in_the_api_format(oqs, body) -> None:
    token = login(oqs)

    response = oqs.post(SEARCH, data=json.dumps(body), headers={"Authorization": token},
                        content_type="application/json")

    assert response.status_code in (200, 400, 401, 403)
    assert "MessageHeader" in response.get_json()["XmlMsg"]


@FUZZ
@given(body=json_values)
def test_any_json_login_gets_an_answer_in_the_login_format(oqs, body) -> None:
    response = oqs.post(LOGIN, data=json.dumps(body), content_type="application/json")

    assert response.status_code in (200, 400, 401)
    assert response.get_json()["status"] in ("0", "1")


@FUZZ
@given(noise=st.binary(max_size=300), cut=st.integers(min_value=0, max_value=700))
def test_any_bytes_as_a_file_get_a_response_or_an_err_file(oqs, noise, cut) -> None:
    token = login(oqs)
    body = world.request_xml(world.SEARCHES["1"])[:cut] + noise

    response = oqs.post(FILE, data=body, headers={"Authorization": token})

    assert response.status_code in (200, 422)
    assert response.headers["X-OQS-File-Name"] in ("OQSsiquc01res_1.xml", "OQSsiquc01req_1.err")
