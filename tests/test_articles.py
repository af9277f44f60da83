import json

import pytest

from conftest import ROOT, SEED_003
from summarizer.errors import InputError
from summarizer.io.articles import Article
from summarizer.io.inputs import path_id
from summarizer.io.readers import stream_inputs

BODY = "The minister said on Tuesday that talks with the neighbours would resume next month in Geneva."


def _one(path):
    items = list(stream_inputs([str(path)]))
    assert len(items) == 1
    return items[0]


def test_seed_header_gives_date_title_and_body(monkeypatch):
    monkeypatch.chdir(ROOT)
    article = _one(SEED_003)
    assert article.published.isoformat() == "2024-01-11"
    assert article.title == "Loading... Loading..."
    assert article.text.startswith("The U.S. State Department imposed sanctions")
    assert article.id == "seeds/003_1f565a1a16ffb178.txt"  # the path, as batch and brief name it


def test_plain_text_without_header(tmp_path):
    (tmp_path / "a.md").write_text(BODY)
    article = _one(tmp_path / "a.md")
    assert article.published is None and article.text == BODY


def test_unparseable_date_header_warns_and_leaves_date_unknown(tmp_path):
    (tmp_path / "a.txt").write_text(f" date 2024-13-45 Title\n\n{BODY}")
    article = _one(tmp_path / "a.txt")
    assert article.published is None and "unparseable date" in article.warnings[0]


def test_jsonl_records_and_bad_lines(tmp_path):
    lines = [json.dumps({"id": "a1", "title": "T", "date": "2024-05-17", "text": BODY}), "not json", json.dumps({"id": "x"}), "", json.dumps({"text": BODY})]
    (tmp_path / "d.jsonl").write_text("\n".join(lines))
    items = list(stream_inputs([str(tmp_path / "d.jsonl")]))
    assert [type(i).__name__ for i in items] == ["Article", "InputError", "InputError", "Article"]
    assert items[0].id == "a1" and items[0].published.isoformat() == "2024-05-17"
    assert items[1].one_line() == f"{tmp_path / 'd.jsonl'}:2: line is not JSON (Expecting value)"
    assert "no 'text'" in items[2].one_line()
    assert items[3].id == path_id(tmp_path / "d.jsonl") + ":5"


@pytest.mark.parametrize(
    "content, cause",
    [
        (b"", "empty article"),
        (b"  \n\t\n", "empty article"),
        (b"\x00\x01\x02binary" * 10, "binary file"),
        ((BODY + " ").encode() * 100 + b"\x00", "binary file"),  # 9.3 KiB of text, then a NUL: past any probe
        (b"two words", "not an article"),
    ],
)
def test_bad_files_are_errors_naming_the_file(tmp_path, content, cause):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    item = _one(path)
    assert isinstance(item, InputError)
    assert item.one_line().startswith(str(path)) and cause in item.one_line()


def test_non_utf8_is_decoded_with_replacement_and_a_warning(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(("Caf\xe9 " + BODY).encode("latin-1"))
    article = _one(path)
    assert "\ufffd" in article.text and "not valid UTF-8" in article.warnings[0]


def test_missing_file_is_an_error_and_an_empty_directory_holds_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    items = list(stream_inputs([str(tmp_path / "nope.txt"), str(tmp_path / "empty")]))
    assert len(items) == 1 and "no such file" in items[0].one_line()  # the commands say "directory has no articles"


def test_directory_reads_every_file_in_order_and_names_what_is_not_an_article(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("b.txt", "a.md", "skip.bin", ".hidden.txt"):
        (tmp_path / "d" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "d" / name).write_text(BODY)
    items = list(stream_inputs(["d"]))
    assert [(type(i).__name__, i.id if isinstance(i, Article) else i.article_id) for i in items] == [
        ("Article", "d/a.md"), ("Article", "d/b.txt"), ("InputError", "d/skip.bin")]
    assert "not an article file (.bin)" in items[2].one_line()


def test_huge_file_is_read_not_rejected(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text((BODY + " ") * 60_000)  # ~5.7 MB
    article = _one(path)
    assert len(article.text) > 5_000_000


def test_nul_in_a_streamed_row_or_a_json_escape_is_an_error(tmp_path):
    (tmp_path / "late.csv").write_text(f"id,text\na,{(BODY + ' ') * 100}\x00\n")
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "b", "text": BODY + "\x00"}) + "\n")
    items = list(stream_inputs([str(tmp_path / "late.csv"), str(tmp_path / "d.jsonl")]))
    assert [item.one_line() for item in items] == [f"{tmp_path / name}: binary data (NUL) in the text" for name in ("late.csv:2", "d.jsonl:1")]
