"""Serbian Cyrillic <-> Latin (bot/domain/serbian.py) and the derived sr_Latn catalog."""

from pathlib import Path

import pytest

from bot.clitools import sr_latn
from bot.domain.serbian import script_variants, to_cyrillic, to_latin

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("љубав њива џеп ђак ћуприја", "ljubav njiva džep đak ćuprija"),
        ("чаша шума жаба јаје", "čaša šuma žaba jaje"),
        ("Љубав, Његош, Џеп", "Ljubav, Njegoš, Džep"),
        ("ЉУБАВ ЊЕГОШ ЏЕП", "LJUBAV NJEGOŠ DŽEP"),
        ("абвгдезиклмнопрстуфхц", "abvgdeziklmnoprstufhc"),
    ],
)
def test_transliteration_is_one_to_one(cyrillic: str, latin: str) -> None:
    assert to_latin(cyrillic) == latin
    assert to_cyrillic(latin) == cyrillic


def test_only_serbian_letters_change() -> None:
    text = "Bridgebot: {program} — /cancel «CSV» 95% ИП"
    assert to_latin(text) == "Bridgebot: {program} — /cancel «CSV» 95% IP"
    assert to_latin("Привет ы") == "Privet ы"  # a Russian letter that Serbian lacks stays


def test_script_variants_cover_both_scripts_and_dj() -> None:
    assert script_variants("ђубре") == {"ђубре", "đubre", "djubre"}
    assert script_variants("kurva") == {"kurva", "курва"}


def test_shipped_sr_latn_catalog_is_derived_from_sr() -> None:
    """Edit locales/sr and run `python -m bot.clitools.sr_latn`; never edit sr_Latn by hand."""
    shipped = (ROOT / "locales" / "sr_Latn" / "LC_MESSAGES" / "bridgebot.po").read_bytes()
    assert shipped == sr_latn.derive(ROOT / "locales")


def test_derivation_keeps_plurals_and_placeholders(tmp_path: Path) -> None:
    from babel.messages.pofile import read_po

    (tmp_path / "sr" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "sr" / "LC_MESSAGES" / "bridgebot.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: sr\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && '
        '(n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n'
        '#, python-brace-format\nmsgid "{n} day"\nmsgid_plural "{n} days"\n'
        'msgstr[0] "{n} дан"\nmsgstr[1] "{n} дана"\nmsgstr[2] "{n} дана"\n',
        "utf-8",
    )
    assert sr_latn.main([str(tmp_path)]) == 0
    with (tmp_path / "sr_Latn" / "LC_MESSAGES" / "bridgebot.po").open("rb") as fh:
        catalog = read_po(fh, locale="sr_Latn")
    entry = catalog.get("{n} day")
    assert entry.string == ("{n} dan", "{n} dana", "{n} dana")
    assert "python-brace-format" in entry.flags
    assert catalog.num_plurals == 3
