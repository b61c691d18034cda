"""The generated vocabulary page: current, and it lists what plugin authors refer to."""

from __future__ import annotations

from pathlib import Path

from wenming import docgen
from wenming.catalog import departments_markdown, installed_registry

PAGE = Path(__file__).parents[1] / "docs" / "reference" / "vocabulary.md"


def test_vocabulary_page_is_current():
    assert PAGE.read_text(encoding="utf-8") == docgen.vocabulary_markdown(), (
        "docs/reference/vocabulary.md is stale: run python -m wenming.docgen docs/reference"
    )


def test_vocabulary_lists_categories_audiences_and_rule_kind_parameters():
    text = docgen.vocabulary_markdown()
    assert "| `core.science` | 科学普及 | Science popularisation |" in text
    assert "| `core.elderly` | 老年人 |" in text
    assert "`reach_km`: float \\| None = None" in text  # distance's parameters
    assert "`require`: tuple[str, ...] = ()" in text  # tags' parameters
    assert "`core.station`" in text


def test_the_catalogue_shows_resource_tags_and_skills_and_joint_part_needs():
    text = departments_markdown(installed_registry())
    assert "| ID | kind | 名称 | name | place | categories | tags | skills |" in text
    assert "`general_practice`" in text
    assert "**health**: " in text and "(team with `general_practice`)" in text
