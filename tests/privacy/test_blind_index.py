import pytest
from django.core.exceptions import ValidationError

from gis_portal.privacy.blind_index import (
    blind_index,
    normalise_email,
    normalise_name,
    normalise_phone,
)


def test_equal_values_equal_indexes_and_a_hex_digest():
    assert blind_index("+77012345678", "help.phone") == blind_index("+77012345678", "help.phone")
    assert len(blind_index("x", "help.phone")) == 64
    assert blind_index("+77012345678", "help.phone") != blind_index("+77012345679", "help.phone")


def test_purposes_are_separate_domains():
    assert blind_index("+77012345678", "help.phone") != blind_index("+77012345678",
                                                                     "volunteer.phone")
    # No concatenation ambiguity between purpose and value.
    assert blind_index("b", "a.x") != blind_index("x:b", "a")


@pytest.mark.parametrize("purpose", ["", "Help", "a\x00b", "with space"])
def test_malformed_purpose_is_refused(purpose):
    with pytest.raises(ValueError):
        blind_index("x", purpose)


def test_index_depends_on_the_server_key(settings):
    before = blind_index("+77012345678", "help.phone")
    settings.TZ_PRIVACY_INDEX_KEY = "another-index-key-of-enough-length-000"
    assert blind_index("+77012345678", "help.phone") != before


@pytest.mark.parametrize("raw", ["+7 701 234 56 78", "87012345678", "8 (701) 234-56-78",
                                 "7012345678", " +7-701-234-5678 "])
def test_phone_forms_normalise_to_one(raw):
    assert normalise_phone(raw) == "+77012345678"


def test_bad_phone_is_a_validation_error():
    with pytest.raises(ValidationError):
        normalise_phone("12345")


def test_email_normalisation():
    assert normalise_email("  Asel.K@Mail.KZ ") == "asel.k@mail.kz"
    for bad in ("no-at-sign", "a@b", "two words@mail.kz", "@mail.kz"):
        with pytest.raises(ValidationError):
            normalise_email(bad)


def test_name_normalisation_folds_case_spaces_and_yo_but_keeps_kazakh_letters():
    assert normalise_name("  СЕМЁНОВ   Пётр ") == "семенов петр"
    assert normalise_name("Семенов Петр") == normalise_name("семёнов  пётр")
    assert normalise_name("ӘСЕЛ ҒАНИҚЫЗЫ Ұлжан Үміт Іңкәр Өмір Һ") == (
        "әсел ғаниқызы ұлжан үміт іңкәр өмір һ")
    # Kazakh letters are not folded into their Russian look-alikes.
    assert normalise_name("Қайрат") != normalise_name("Кайрат")
    assert normalise_name("Іле") != normalise_name("Иле")
    # Composed and decomposed forms of one name match.
    assert normalise_name("Семе\u0308нов") == normalise_name("Семёнов") == "семенов"
