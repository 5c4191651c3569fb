"""inputs: the gate every client value passes through."""

import pytest

from prm_app.services.core import inputs
from prm_app.services.core.errors import Invalid, NotFound

HOSTILE_NON_STRINGS = [None, 5, 5.5, True, {"$ne": ""}, ["a@b.co"], b"a@b.co", object()]


# email ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ada@example.com", "ada@example.com"),
        ("  Ada.Lovelace@Example.COM \n", "ada.lovelace@example.com"),
        ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
    ],
)
def test_email_is_trimmed_and_lower_cased(raw, clean):
    assert inputs.email(raw) == clean


@pytest.mark.parametrize("value", HOSTILE_NON_STRINGS)
def test_email_refuses_non_strings(value):
    with pytest.raises(Invalid, match="Enter an email address") as caught:
        inputs.email(value)
    assert caught.value.field == "email"


@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_email_refuses_blank(value):
    with pytest.raises(Invalid, match="Enter an email address"):
        inputs.email(value)


@pytest.mark.parametrize(
    "value",
    [
        "plainaddress",
        "@example.com",
        "ada@",
        "ada@example",
        "ada@@example.com",
        "ada lovelace@example.com",
        "ada@exa mple.com",
        "ada@example.com\nBcc: victim@example.com",
        "ada@example@com.org",
        "a@b.c" + "\r\n" + "x@y.z",
    ],
)
def test_email_refuses_malformed(value):
    with pytest.raises(Invalid, match="is not a valid email address"):
        inputs.email(value)


def test_email_refuses_over_254_characters():
    local = "a" * 64
    ok = f"{local}@{'b' * (254 - 64 - 1 - 4)}.com"
    assert len(ok) == 254
    assert inputs.email(ok) == ok
    with pytest.raises(Invalid, match="is not a valid email address") as caught:
        inputs.email("x" + ok)
    # The message quotes at most 60 characters of what was sent.
    assert len(str(caught.value)) < 120


def test_email_error_names_the_given_field():
    with pytest.raises(Invalid) as caught:
        inputs.email("nope", field="invite_email")
    assert caught.value.field == "invite_email"


def test_email_refuses_nul_character():
    with pytest.raises(Invalid):
        inputs.email("ada\x00@example.com")


def test_email_refuses_lone_surrogate():
    with pytest.raises(Invalid):
        inputs.email("ada\ud800@example.com")


# text ----------------------------------------------------------------------------------------


def test_text_is_trimmed():
    assert inputs.text("  Acme Ltd \n", field="f", label="Name", max_len=20) == "Acme Ltd"


def test_text_none_is_blank():
    assert inputs.text(None, field="f", label="Note", max_len=5, required=False) == ""
    with pytest.raises(Invalid, match=r"^Note is required\.$") as caught:
        inputs.text(None, field="note", label="Note", max_len=5)
    assert caught.value.field == "note"


@pytest.mark.parametrize("value", ["", "   ", "\n\t"])
def test_text_required_refuses_blank(value):
    with pytest.raises(Invalid, match=r"^Name is required\.$"):
        inputs.text(value, field="name", label="Name", max_len=10)


def test_text_optional_accepts_blank():
    assert inputs.text("   ", field="f", label="Name", max_len=10, required=False) == ""


@pytest.mark.parametrize("value", [5, 0, 5.5, True, False, {"a": 1}, ["x"], b"bytes", object()])
def test_text_refuses_non_strings(value):
    with pytest.raises(Invalid, match=r"^Name must be text\.$") as caught:
        inputs.text(value, field="name", label="Name", max_len=10)
    assert caught.value.field == "name"


def test_text_length_limit_applies_after_trimming():
    assert inputs.text("  " + "a" * 10 + "  ", field="f", label="Name", max_len=10) == "a" * 10
    with pytest.raises(Invalid, match=r"^Name must be at most 10 characters\.$"):
        inputs.text("a" * 11, field="f", label="Name", max_len=10)


def test_text_refuses_huge_input():
    with pytest.raises(Invalid, match="at most 200 characters"):
        inputs.text("x" * 1_000_000, field="f", label="Name", max_len=200)


def test_text_keeps_markup_verbatim():
    # Escaping is the renderer's job; the value itself must not be mangled.
    value = "<img src=x onerror=alert(1)> 'Robert'); DROP TABLE users;--"
    assert inputs.text(value, field="f", label="Name", max_len=200) == value


def test_text_refuses_nul_character():
    with pytest.raises(Invalid):
        inputs.text("Acme\x00", field="f", label="Name", max_len=20)


def test_text_refuses_lone_surrogate():
    with pytest.raises(Invalid):
        inputs.text("Acme\udc80", field="f", label="Name", max_len=20)


# record_id -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (42, 42),
        ("42", 42),
        ("0007", 7),
        (2**31 - 1, 2**31 - 1),
        (str(2**31 - 1), 2**31 - 1),
    ],
)
def test_record_id_accepts_positive_ids(value, expected):
    result = inputs.record_id(value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    "value",
    [
        0,
        -1,
        "-1",
        "0",
        2**31,
        2**63,
        str(2**31),
        str(2**63),
        "9" * 19,
        "9" * 1000,
        True,
        False,
        None,
        "",
        " 5",
        "5 ",
        "+5",
        "5.0",
        5.0,
        "1e3",
        "0x10",
        "١٢",  # Arabic-Indic digits: str.isdigit() is true for them
        "²",  # superscript two: isdigit() is true, int() fails
        {"id": 5},
        [5],
        (5,),
        b"5",
        object(),
    ],
)
def test_record_id_refuses_everything_else_as_not_found(value):
    with pytest.raises(
        NotFound, match=r"^That invitation does not exist or is not visible to you\.$"
    ):
        inputs.record_id(value, what="invitation")
