"""The person import (docs/import.md) into a real store: what a good file stores, how each
problem is placed, and that a refused file (or one that fails half-way) stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from simulator.clock import FixedClock
from simulator.imports.model import MAX_PROBLEMS, ImportRejected
from simulator.imports.read import read_import
from simulator.imports.service import import_persons
from simulator.pki.jpki import JpkiHolder
from simulator.profiles import load_profiles
from simulator.registry.model import Insurer, InsurerKind
from simulator.schema import metadata
from simulator.store import Repository, SqlUnitOfWork
from tests.builders import at

NOW = at(2026, 4, 1, 9, 0)
EXAMPLES = Path(__file__).parents[2] / "datasets" / "import"
JSON_EXAMPLE = (EXAMPLES / "example-persons.json").read_bytes()
CSV_EXAMPLE = (EXAMPLES / "example-persons.csv").read_bytes()

PERSON = {"id": "p1", "name": "山田　太郎", "kana": "ﾔﾏﾀﾞ ﾀﾛｳ", "birthdate": "1980-04-01",
          "sex": "1", "address": "東京都千代田区千代田1-1"}
RECORD = {"insurer": "06130025", "symbol": "1", "number": "2", "branch": "00",
          "valid_from": "2020-04-01"}
HEADER = "id,name,kana,birthdate,sex,address,insurer,number,valid_from"
ROW = "p1,山田　太郎,ﾔﾏﾀﾞ ﾀﾛｳ,1980-04-01,1,東京都千代田区,06130025,2,2020-04-01"


def run(engine, data: bytes | dict, source: str = "persons.json", *, replace: bool = False,
        pki=None):
    raw = json.dumps(data, ensure_ascii=False).encode() if isinstance(data, dict) else data
    return import_persons(uow=SqlUnitOfWork(engine), clock=FixedClock(NOW),
                          file=read_import(raw, source), profiles=load_profiles(),
                          jpki=JpkiHolder(pki) if pki else None, replace=replace)


def refused(engine, data, source: str = "persons.json", **options) -> list[str]:
    """Each problem as ``place: message``."""
    with pytest.raises(ImportRejected) as caught:
        run(engine, data, source, **options)
    return [f"{p.place()}: {p.message}" for p in caught.value.problems]


def persons(*items: dict) -> dict:
    return {"persons": list(items)}


def dump(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {table.name: sorted(map(repr, connection.execute(select(table))))
                for table in metadata.sorted_tables}


def test_the_json_example_stores_persons_records_card_drugs_and_checkups(engine, tmp_path):
    done = run(engine, JSON_EXAMPLE, pki=tmp_path)

    assert done.counts == {"persons": 5, "qualifications": 6, "cards": 1, "drugs": 2,
                           "checkups": 1, "insurers": 3}
    assert list(done.cards) == ["yoko"]
    with SqlUnitOfWork(engine) as uow:
        yoko = uow.repo.person_by_handle("", "yoko")
        (card,) = uow.repo.cards_of(yoko.id)
        sora = uow.repo.records_of(uow.repo.person_by_handle("", "sora").id)[0]
        koki = uow.repo.records_of(uow.repo.person_by_handle("", "tanaka").id)
    assert card.insurance_registered_at == at(2024, 10, 1, 0, 0)
    assert (sora.preschool, sora.branch, sora.registered_at) == (True, "02", at(2021, 11, 10))
    assert [(r.insurer.kind, r.registered_at) for r in koki] == [
        (InsurerKind.KYOKAI, at(2013, 4, 1, 0, 0)), (InsurerKind.KOKI, at(2023, 2, 11, 0, 0))]


def test_the_csv_example_stores_the_same_records_as_the_json_one(engine, tmp_path) -> None:
    done = run(engine, CSV_EXAMPLE, "example.csv", pki=tmp_path)
    with SqlUnitOfWork(engine) as uow:
        by_csv = {h: uow.repo.records_of(uow.repo.person_by_handle("", h).id)
                  for h in ("kenichi", "michiko", "sora", "tanaka", "yoko")}
        uow.connection.execute(metadata.tables["persons"].delete())
        uow.commit()
    run(engine, JSON_EXAMPLE, pki=tmp_path)
    with SqlUnitOfWork(engine) as uow:
        by_json = {h: uow.repo.records_of(uow.repo.person_by_handle("", h).id)
                   for h in by_csv}

    assert done.counts == {"persons": 5, "qualifications": 6, "cards": 1, "drugs": 0,
                           "checkups": 0, "insurers": 3}
    strip = lambda records: [(r.insurer, r.number, r.branch, r.family, r.ratio, r.preschool,  # noqa: E731
                              r.valid_from, r.valid_to, r.registered_at) for r in records]
    assert {h: strip(r) for h, r in by_csv.items()} == {h: strip(r) for h, r in by_json.items()}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_a_csv_file_is_read_as_utf_8_with_or_without_bom_or_as_shift_jis(engine, encoding):
    text = f"{HEADER},insurer_name\r\n{ROW},東京みらい商事健康保険組合\r\n"

    run(engine, text.encode(encoding), "persons.csv")

    with SqlUnitOfWork(engine) as uow:
        person = uow.repo.person_by_handle("", "p1")
        assert (person.name, person.kana) == ("山田　太郎", "ﾔﾏﾀﾞ ﾀﾛｳ")
        assert uow.repo.get_insurer("06130025").name == "東京みらい商事健康保険組合"


def test_an_unknown_insurer_is_created_named_after_its_kind(engine) -> None:
    record = {**RECORD, "insurer": "138057"}
    done = run(engine, persons({**PERSON, "qualifications": [record, {
        **RECORD, "insurer": "39131016", "number": "12345674", "valid_from": "2045-04-01"}]}))

    with SqlUnitOfWork(engine) as uow:
        created = [uow.repo.get_insurer(n) for n in ("138057", "39131016")]
    assert done.counts["insurers"] == 2
    assert created == [Insurer("138057", "国民健康保険（138057）", InsurerKind.KOKUHO),
                       Insurer("39131016", "後期高齢者医療広域連合（39131016）",
                               InsurerKind.KOKI)]


def test_a_stored_insurer_is_used_and_a_different_name_for_it_refused(engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.repo.add_insurer(Insurer("06130025", "東京みらい商事健康保険組合",
                                     InsurerKind.KUMIAI))
        uow.commit()
    renamed = {"insurers": [{"number": "06130025", "name": "別の名前"}],
               **persons({**PERSON, "qualifications": [RECORD]})}

    assert run(engine, persons({**PERSON, "qualifications": [RECORD]})).counts["insurers"] == 0
    assert refused(engine, renamed) == [
        "insurers[0].name: 保険者 06130025 はすでに「東京みらい商事健康保険組合」です: "
        "「別の名前」",
        "persons[0].id: この id の人はすでに取り込まれています: 「p1」"
        "（置き換えるときは replace を指定）"]


def test_every_problem_of_a_json_file_is_reported_with_its_path(engine) -> None:
    document = {"insurers": [{"number": "06130026", "name": "x"}], "persons": [
        {**PERSON, "sex": "4", "nickname": "taro"},
        {**PERSON, "id": "p2", "birthdate": "1980-02-30", "qualifications": [
            {**RECORD, "valid_to": "2019-01-01"}, {**RECORD, "insurer": "12130027"}]},
        {**PERSON, "id": "p3", "qualifications": [{**RECORD, "branch": "123"},
                                                  {**RECORD, "number": ""}]},
        {**PERSON, "id": "p4", "qualifications": [{**RECORD, "valid_from": "2020-13-01"}],
         "drugs": [{"date": "2026-03-01", "source": "dispensing", "institution": "1341234564",
                    "code": "620098801", "quantity": 1, "days": 7}],
         "card": {"expires": "2020-01-01"}},
        {**PERSON, "id": "p1"},
    ]}

    assert refused(engine, document, pki=None) == [
        "insurers[0].number: 検証番号6が一致しません（正しくは5）。",
        "persons[0].nickname: 使えない項目です（使える項目: id, name, kana, birthdate, sex, "
        "address, post_number, card, qualifications, drugs, checkups）。",
        "persons[0].sex: 1、2、3 のいずれかにしてください: 「4」",
        "persons[1].birthdate: 存在しない日付です（YYYYMMDD）。",
        "persons[1].qualifications[0].valid_to: must be after valid_from",
        "persons[1].qualifications[1].insurer: 法別番号 12 is not a medical insurer's",
        "persons[2].qualifications[0].branch: 形式が違います（正規表現 ^[0-9]{1,2}$）: 「123」",
        "persons[2].qualifications[1].number: 空にはできません。",
        "persons[3].card: カードの発行には JPKI CA（pki_dir）が必要です。",
        "persons[3].drugs[0].institution: 検証番号4が一致しません（正しくは3）。",
        "persons[3].qualifications[0].valid_from: 存在しない日付です（YYYYMMDD）。",
        "persons[4].id: persons[0] と同じ id です: 「p1」",
    ]


def test_problems_of_a_csv_file_name_the_line_and_the_column(engine) -> None:
    text = "\n".join([
        f"{HEADER},ratio,preschool,insurer_kind",
        f"{ROW},30,yes,kyokai",
        "p1,山田　次郎,,,,,06130025,3,2020-04-01,,,",
        "p2,佐藤　花子,ｻﾄｳ ﾊﾅｺ,1990/01/01,2,東京都,06130025,4,2020-04-01,,,",
        "p3,佐藤　一郎,ｻﾄｳ ｲﾁﾛｳ,1990-01-01,1,東京都,39131016,12345679,2020-04-01,,,",
        ",x,,,,,,,,,,",
        "p4,a,b,1990-01-01,1,c,06130025,5,2020-04-01,,,,extra",
    ]).encode()

    assert refused(engine, text, "persons.csv") == [
        "2行目 insurer_kind: 保険者番号 06130025 の種別は kumiai です（法別番号から）: 「kyokai」",
        "2行目 preschool: true か false（1 か 0）にしてください: 「yes」",
        "2行目 ratio: 形式が違います（3-digit percent, e.g. \"030\"）: 「30」",
        "3行目 name: 同じ id の最初の行（2行目）と値が違います: 「山田　次郎」"
        "（2行目は「山田　太郎」）",
        "4行目 birthdate: 形式が違います（YYYY-MM-DD）: 「1990/01/01」",
        "5行目 number: 検証番号9が一致しません（正しくは4）。",
        "6行目 id: 必須の項目です。",
        "7行目: 見出し（12列）より多くの列があります。",
    ]


def test_a_csv_header_with_unknown_duplicate_or_missing_columns_is_refused(engine) -> None:
    text = b"id,name,kana,birthdate,sex,insurer,insurer,nickname\n"

    assert refused(engine, text, "persons.csv") == [
        "1行目 address: この列が必要です。",
        "1行目 insurer: 同じ見出しの列が2つあります。",
        "1行目 nickname: 知らない列です（使える列は docs/import.md）: 「nickname」",
    ]


def test_nothing_is_stored_when_any_part_of_the_file_is_wrong(engine, tmp_path) -> None:
    before = dump(engine)
    good = {**PERSON, "qualifications": [RECORD], "card": {"expires": "2030-01-01"}}
    bad = {**PERSON, "id": "p2", "qualifications": [{**RECORD, "valid_from": "2020-02-30"}]}

    refused(engine, persons(good, bad), pki=tmp_path)

    assert dump(engine) == before


def test_nothing_is_stored_when_the_store_fails_half_way(engine, tmp_path, monkeypatch):
    before = dump(engine)
    document = json.loads(JSON_EXAMPLE)

    def broken(self, checkup):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Repository, "add_checkup", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        run(engine, document, pki=tmp_path)  # yoko, the last person, has the checkup

    assert dump(engine) == before


def test_an_id_imported_before_is_refused_unless_replaced(engine, tmp_path) -> None:
    first = persons({**PERSON, "qualifications": [RECORD], "card": {}})
    second = persons({**PERSON, "name": "山田　太朗", "qualifications": [
        {**RECORD, "number": "3"}]}, {**PERSON, "id": "p2"})
    run(engine, first, pki=tmp_path)

    problems = refused(engine, second)
    done = run(engine, second, replace=True)

    assert problems == ["persons[0].id: この id の人はすでに取り込まれています: 「p1」"
                        "（置き換えるときは replace を指定）"]
    assert (done.replaced, done.counts["persons"]) == (1, 2)
    with SqlUnitOfWork(engine) as uow:
        p1 = uow.repo.person_by_handle("", "p1")
        assert p1.name == "山田　太朗"
        assert [r.number for r in uow.repo.records_of(p1.id)] == ["3"]
        assert uow.repo.cards_of(p1.id) == []
        assert uow.repo.counts()["persons"] == 2


def test_at_most_fifty_problems_are_reported(engine) -> None:
    many = persons(*({**PERSON, "id": f"p{n}", "sex": "9"} for n in range(80)))

    with pytest.raises(ImportRejected) as caught:
        run(engine, many)

    assert len(caught.value.problems) == MAX_PROBLEMS
    assert caught.value.message == ("persons.json: 50件の誤りがあるため、何も取り込みませんでした"
                                    "（最初の50件）。")


@pytest.mark.parametrize(
    ("data", "source", "problem"),
    [
        (b'{"persons": [', "p.json", "1行目: JSONとして読めません（1行 14列: Expecting value）。"),
        (b"\xff\xfe", "p.json", "encoding: 1バイト目がUTF-8 として読めません。"),
        (b"\x81\x39", "p.csv",
         "encoding: 1バイト目がUTF-8 でも Shift_JIS (cp932) でも読めません。"),
        (b"[]", "p.json", ": オブジェクト（{…}）にしてください（配列（[…]）です）。"),
        (b'{"persons": []}', "p.json", "persons: 1件以上必要です。"),
        (b"", "p.csv", "1行目: 空のファイルです。"),
        (b"{}", "a.json/p",
         "format: ファイル名が .csv でも .json でもありません"
         "（--format csv|json で指定してください）。"),
    ],
    ids=["json syntax", "json bytes", "csv bytes", "not an object", "no persons", "empty csv",
         "no extension (a dot in a folder's name)"],
)
def test_a_file_that_cannot_be_read_is_refused_whole(engine, data, source, problem) -> None:
    assert [p.removeprefix("(ファイル)") for p in refused(engine, data, source)] == [problem]
