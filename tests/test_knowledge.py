"""The FAQ loader and validator: a valid folder loads; every kind of mistake is reported at file:line."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.faq import load_knowledge
from tests.faqfactory import entry_yaml, write_faq


def messages(folder: Path) -> list[str]:
    result = load_knowledge(folder)
    assert result.knowledge is None
    return [str(problem) for problem in result.problems]


def test_valid_folder_loads_every_entry(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"), entry_yaml("second"))
    result = load_knowledge(folder)
    assert result.ok
    assert result.knowledge is not None
    assert [e.id for e in result.knowledge.entries] == ["first", "second"]
    assert result.knowledge.get("second") is not None


def test_yaml_syntax_error_is_reported_with_file_and_line(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    (folder / "broken.yaml").write_text("entries:\n  - id: x\n    question: [unclosed\n")
    problems = messages(folder)
    assert any(p.startswith(f"{folder / 'broken.yaml'}:") and "cannot be read" in p for p in problems)


def test_missing_field_names_the_entry_and_line(tmp_path: Path) -> None:
    text = entry_yaml("first").replace("    reviewed: 2026-11-27\n", "")
    problems = messages(write_faq(tmp_path, text))
    assert problems == [f"{tmp_path / 'basics.yaml'}:2: entry 'first': 'reviewed' is missing"]


def test_missing_reviewed_by_is_an_error_at_the_entry_line(tmp_path: Path) -> None:
    text = entry_yaml("first").replace("    reviewed_by: the test suite\n", "")
    problems = messages(write_faq(tmp_path, text))
    assert problems == [f"{tmp_path / 'basics.yaml'}:2: entry 'first': 'reviewed_by' is missing"]


def test_missing_next_review_is_an_error_at_the_entry_line(tmp_path: Path) -> None:
    text = entry_yaml("first").replace("    next_review: 2027-11-27\n", "")
    problems = messages(write_faq(tmp_path, text))
    assert problems == [f"{tmp_path / 'basics.yaml'}:2: entry 'first': 'next_review' is missing"]


def test_unknown_field_is_reported_at_its_line(tmp_path: Path) -> None:
    text = entry_yaml("first", extra="anwser: typo")
    problems = messages(write_faq(tmp_path, text))
    assert len(problems) == 1
    assert "unknown field 'anwser'" in problems[0]
    assert problems[0].startswith(f"{tmp_path / 'basics.yaml'}:18:")


def test_wrong_type_is_reported(tmp_path: Path) -> None:
    text = entry_yaml("first").replace("    question: What about first?", "    question: [a, b]")
    assert any("'question' must be text" in p for p in messages(write_faq(tmp_path, text)))


def test_duplicate_id_points_at_both_places(tmp_path: Path) -> None:
    second = entry_yaml("first", question="Other?", phrasings=["w", "x", "y", "z"])
    problems = messages(write_faq(tmp_path, entry_yaml("first"), second))
    assert any("duplicate id 'first'" in p and "basics.yaml:2" in p for p in problems)


def test_related_must_name_an_existing_id(tmp_path: Path) -> None:
    text = entry_yaml("first", extra="related: [nowhere]")
    assert any("related id 'nowhere' does not exist" in p for p in messages(write_faq(tmp_path, text)))


def test_over_long_answer_is_refused(tmp_path: Path) -> None:
    text = entry_yaml("first", answer="word " * 200)
    assert any(
        "'answer' is 999 characters; the limit is 900" in p for p in messages(write_faq(tmp_path, text))
    )


def test_empty_answer_is_refused(tmp_path: Path) -> None:
    text = entry_yaml("first").replace("    answer: |\n      A short plain answer.\n", '    answer: ""\n')
    assert any("'answer' is empty" in p for p in messages(write_faq(tmp_path, text)))


def test_missing_sources_are_refused(tmp_path: Path) -> None:
    text = (
        entry_yaml("first")
        .replace("      - title: NHS\n        url: https://www.nhs.uk/medicines/azathioprine/\n", "")
        .replace("    sources:\n", "    sources: []\n")
    )
    assert any("at least one source" in p for p in messages(write_faq(tmp_path, text)))


def test_non_http_url_is_refused(tmp_path: Path) -> None:
    text = entry_yaml("first").replace("https://www.nhs.uk", "javascript:alert(1)//www.nhs.uk")
    assert any("must start with http:// or https://" in p for p in messages(write_faq(tmp_path, text)))


def test_same_phrasing_in_two_entries_is_refused(tmp_path: Path) -> None:
    shared = ["Can I drink?", "a", "b", "c"]
    first = entry_yaml("first", phrasings=shared)
    second = entry_yaml("second", phrasings=["can i drink", "d", "e", "f"])
    problems = messages(write_faq(tmp_path, first, second))
    assert any("'can i drink' is also used by entry 'first'" in p for p in problems)


def test_too_few_phrasings_are_refused(tmp_path: Path) -> None:
    text = entry_yaml("first", phrasings=["one", "two"])
    assert any("at least 4 items, has 2" in p for p in messages(write_faq(tmp_path, text)))


def test_html_in_answer_is_refused(tmp_path: Path) -> None:
    text = entry_yaml("first", answer="Take it <b>daily</b>.")
    assert any("contains HTML" in p for p in messages(write_faq(tmp_path, text)))


def test_markdown_in_answer_is_refused(tmp_path: Path) -> None:
    text = entry_yaml("first", answer="See [the NHS](https://nhs.uk) page.")
    assert any("contains Markdown" in p for p in messages(write_faq(tmp_path, text)))


def test_bad_id_format_is_refused(tmp_path: Path) -> None:
    assert any(
        "lower-case words joined by hyphens" in p for p in messages(write_faq(tmp_path, entry_yaml("Bad_Id")))
    )


def test_python_object_tags_are_refused(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    (folder / "evil.yaml").write_text("entries: !!python/object/apply:os.system ['echo pwned']\n")
    assert any("evil.yaml:1:" in p and "not allowed" in p for p in messages(folder))


def test_alias_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in "bcdefghi":
        prev = chr(ord(n) - 1)
        bomb.append(f"{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    (folder / "bomb.yaml").write_text("\n".join(bomb) + "\n")
    assert any("bomb.yaml:1:" in p and "aliases" in p for p in messages(folder))


def test_duplicate_key_in_one_entry_is_refused(tmp_path: Path) -> None:
    text = entry_yaml("first", extra="category: basics")
    assert any("appears twice" in p for p in messages(write_faq(tmp_path, text)))


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    bad_one = entry_yaml("one", answer="<i>x</i>")
    bad_two = entry_yaml("two", extra="related: [ghost]")
    assert len(messages(write_faq(tmp_path, bad_one, bad_two))) == 2


def test_required_ids_must_exist(tmp_path: Path) -> None:
    result = load_knowledge(write_faq(tmp_path, entry_yaml("first")), required_ids=["missed-dose"])
    [problem] = result.problems
    assert problem.message.startswith("the entry 'missed-dose' is missing: every FAQ must have it")


def test_folder_without_safety_text_is_refused(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    (folder / "safety-text.yaml").unlink()
    assert any("safety" in p for p in messages(folder))


def test_word_lists_beside_synonyms_must_be_lists_of_words(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    (folder / "synonyms.yaml").write_text("synonyms:\n  stomach: [tummy]\nother_medicines: ibuprofen\n")
    assert any("synonyms.yaml:3:" in p and "'other_medicines' must be a list" in p for p in messages(folder))


def test_needs_medicine_must_be_true_or_false(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra="needs_medicine: sometimes"))
    assert any("'needs_medicine' must be true or false" in p for p in messages(folder))


def test_overview_must_be_true_or_false(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra="overview: yes please"))
    assert any("'overview' must be true or false" in p for p in messages(folder))


def test_overview_is_loaded(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra="overview: true"), entry_yaml("second"))
    knowledge = load_knowledge(folder).knowledge
    assert knowledge is not None
    assert [e.overview for e in knowledge.entries] == [True, False]


def test_needs_medicine_and_pointing_words_are_loaded(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra="needs_medicine: true"), entry_yaml("second"))
    (folder / "synonyms.yaml").write_text("synonyms:\n  tablet: [meds]\nrefers_to_own: [it, My Tablet]\n")
    knowledge = load_knowledge(folder).knowledge
    assert knowledge is not None
    assert [e.needs_medicine for e in knowledge.entries] == [True, False]
    assert knowledge.vocabulary.refers_to_own == {"it", "my tablet"}


def test_wins_when_phrases_are_loaded_folded(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra='wins_when: ["My Husband\'s on"]'))
    knowledge = load_knowledge(folder).knowledge
    assert knowledge is not None
    assert knowledge.entries[0].wins_when == ("my husbands on",)


def test_wins_when_that_is_not_a_list_is_refused_with_its_line(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra="wins_when: 3"))
    result = load_knowledge(folder)
    assert result.knowledge is None
    assert [(p.line, "wins_when" in p.message) for p in result.problems] == [(18, True)]


def test_general_question_word_lists_are_loaded_folded(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    synonyms = "synonyms: {}\ngeneral_openers: [What Is]\npeople: [My]\ntreatment: [Side Effects]\n"
    (folder / "synonyms.yaml").write_text(synonyms)
    knowledge = load_knowledge(folder).knowledge
    assert knowledge is not None
    vocabulary = knowledge.vocabulary
    assert vocabulary.general_openers == {"what is"}
    assert vocabulary.people == {"my"}
    assert vocabulary.treatment == {"side effects"}


def test_conditions_and_practical_words_are_loaded_folded(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    synonyms = (
        "synonyms:\n  crohns: [chrons]\nconditions: [Crohns, Kidney Transplant]\npractical: [Phone Number]\n"
    )
    (folder / "synonyms.yaml").write_text(synonyms)
    knowledge = load_knowledge(folder).knowledge
    assert knowledge is not None
    assert knowledge.vocabulary.conditions == {"crohns", "kidney transplant"}
    assert knowledge.vocabulary.practical == {"phone number"}


def test_short_answer_is_loaded_with_its_services_filled_in(tmp_path: Path) -> None:
    first = entry_yaml("first", extra='short: "Stop and call {emergency_number} now."')
    folder = write_faq(tmp_path, first, entry_yaml("second"))
    knowledge = load_knowledge(folder).knowledge
    assert knowledge is not None
    assert [e.short for e in knowledge.entries] == ["Stop and call 999 now.", ""]


def short_line(folder: Path) -> str:
    """``file:line`` of the first ``short:`` field in the test FAQ."""
    path = folder / "basics.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    return f"{path}:{next(n for n, line in enumerate(lines, 1) if line.strip().startswith('short:'))}"


def test_over_long_short_answer_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra=f"short: {'word ' * 60}x"))
    problems = messages(folder)
    assert f"{short_line(folder)}: entry 'first': 'short' is 301 characters; the limit is 300" in problems


def test_short_answer_of_exactly_the_limit_is_accepted(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra=f"short: {'word ' * 59}word"))
    assert load_knowledge(folder).ok


def test_empty_short_answer_is_refused(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra='short: ""'))
    assert f"{short_line(folder)}: entry 'first': 'short' is empty" in messages(folder)


def test_html_or_markdown_in_short_answer_is_refused(tmp_path: Path) -> None:
    html = write_faq(tmp_path / "html", entry_yaml("first", extra="short: Take it <b>daily</b>."))
    markdown = write_faq(tmp_path / "md", entry_yaml("first", extra="short: Take it **daily**."))
    assert any(p.startswith(short_line(html)) and "contains HTML" in p for p in messages(html))
    assert any(p.startswith(short_line(markdown)) and "contains Markdown" in p for p in messages(markdown))


def test_unknown_service_in_short_answer_is_refused(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra="short: Call {ambulance} now."))
    assert any(
        p.startswith(short_line(folder)) and "'short' refers to '{ambulance}'" in p for p in messages(folder)
    )


def test_short_answer_that_is_not_text_is_refused(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", extra="short: [a, b]"))
    assert f"{short_line(folder)}: entry 'first': 'short' must be text, not a list" in messages(folder)
