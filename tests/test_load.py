"""The loader: YAML in, plain data out, with a line and column for every node, and hostile YAML refused."""

from __future__ import annotations

from beijing_econ_site.data.load import MAX_FILE_BYTES, load_file, parse_text


def diagnostics_of(text: str) -> list[str]:
    document, problems = parse_text(text, "x.yaml")
    assert document is None
    return [p.format() for p in problems]


def test_every_node_keeps_its_line_and_column():
    document, problems = parse_text("figures:\n  - id: a\n    value: 1.5\n", "x.yaml")
    assert problems == []
    assert document.data == {"figures": [{"id": "a", "value": 1.5}]}
    assert str(document.location(("figures", 0, "value"))) == "x.yaml:3:12"
    assert str(document.location(("figures", 0, "missing"))) == "x.yaml:2:5"


def test_scalars_resolve_as_yaml_core_types_but_dates_stay_as_written():
    document, _ = parse_text("a: 2020\nb: 2022-11-11\nc: '2020'\nd: true\ne: null\nf: 1_000\n", "x.yaml")
    assert document.data == {"a": 2020, "b": "2022-11-11", "c": "2020", "d": True, "e": None, "f": 1000}


def test_duplicate_keys_are_refused():
    assert diagnostics_of("a: 1\nb: 2\na: 3\n") == [
        "x.yaml:3:1: error[yaml-duplicate-key]: duplicate key 'a' (first on line 1)"
    ]


def test_yaml_tags_are_refused():
    assert diagnostics_of("a: !!python/object/apply:os.system ['true']\n") == [
        "x.yaml:1:4: error[yaml-tag]: YAML tags (tag:yaml.org,2002:python/object/apply:os.system) are not allowed"
    ]


def test_anchors_and_aliases_are_refused_so_alias_bombs_cannot_expand():
    bomb = "a: &a ['x','x']\nb: &b [*a,*a]\nc: &c [*b,*b]\n"
    assert diagnostics_of(bomb) == ["x.yaml:1:4: error[yaml-alias]: anchors (&a) are not allowed: write the value out"]


def test_merge_keys_are_refused():
    assert diagnostics_of("a:\n  <<: {b: 1}\n") == [
        "x.yaml:2:3: error[yaml-merge-key]: merge keys (<<) are not allowed: write the keys out"
    ]


def test_tabs_get_a_plain_explanation():
    assert diagnostics_of("a:\n\t- 1\n") == [
        "x.yaml:2:1: error[yaml-syntax]: tab character: YAML indentation must use spaces"
    ]


def test_syntax_errors_name_line_and_column():
    assert diagnostics_of("a: [1, 2\nb: 3\n") == [
        "x.yaml:2:2: error[yaml-syntax]: expected ',' or ']', but got ':' (while parsing a flow sequence)"
    ]


def test_empty_and_comment_only_files():
    assert diagnostics_of("") == ["x.yaml: error[yaml-empty]: file has no data: delete it or add content"]
    assert diagnostics_of("# only a comment\n") == [
        "x.yaml: error[yaml-empty]: file has no data: delete it or add content"
    ]


def test_the_top_level_must_be_a_mapping():
    assert diagnostics_of("- 1\n") == [
        "x.yaml:1:1: error[yaml-structure]: the top level must be a mapping (source:, indicators:, figures:), not list"
    ]


def test_one_document_per_file():
    assert diagnostics_of("a: 1\n---\nb: 2\n") == [
        "x.yaml:2:1: error[yaml-structure]: one document per file: remove the '---' separator"
    ]


def test_non_utf8_files_name_the_byte(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "latin1.yaml").write_bytes("a: caf\xe9\n".encode("latin-1"))
    document, problems = load_file(tmp_path / "latin1.yaml")
    assert document is None
    assert [p.format() for p in problems] == [
        "latin1.yaml:1:7: error[yaml-encoding]: byte 0xe9 is not valid UTF-8: save the file as UTF-8"
    ]


def test_a_byte_order_mark_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    _, problems = load_file(tmp_path / "bom.yaml")
    assert [p.format() for p in problems] == [
        "bom.yaml:1:1: error[yaml-encoding]: file starts with a byte-order mark: save it as UTF-8 without BOM"
    ]


def test_oversized_files_are_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.yaml").write_bytes(b"a: " + b"x" * MAX_FILE_BYTES + b"\n")
    _, problems = load_file(tmp_path / "big.yaml")
    assert [p.rule for p in problems] == ["yaml-too-large"]
    assert problems[0].message.startswith(f"file is {MAX_FILE_BYTES + 4:,} bytes; the limit is {MAX_FILE_BYTES:,}")


def test_serve_parses_again_only_the_files_whose_text_changed(tmp_path):
    from beijing_econ_site.data import load

    data = tmp_path / "data"
    data.mkdir()
    for name in ("a", "b", "c"):
        (data / f"{name}.yaml").write_text(f"indicators:\n  - id: {name}-unparsed-yet\n")
    load.load_directory(data)
    before = load._parsed.cache_info()
    (data / "b.yaml").write_text("indicators:\n  - id: b-edited\n")
    documents, problems = load.load_directory(data)
    after = load._parsed.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)
    assert problems == [] and documents[1].data == {"indicators": [{"id": "b-edited"}]}
