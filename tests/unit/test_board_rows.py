"""The board's rows are formatted once per shared board read (state.board_rows)."""

from datetime import date
from decimal import Decimal

from prm_app.services.deals.board import Card, Column
from prm_app.state import board_rows


def _read(name: str = "Deal 1") -> list[Column]:
    card = Card(
        id=1,
        version=1,
        provider_org_id=7,
        stage_id=3,
        name=name,
        company="Contoso",
        amount=Decimal("150000"),
        currency="USD",
        close_date=date(2030, 6, 30),
        other_org_name="Fabrikam",
        owner_name="Ann",
        approval="approved",
        outcome="open",
        custom={"9": "Gold"},
    )
    column = Column("3", "Qualification", "open", {7: 3}, count=4, totals={"USD": Decimal(9)})
    column.cards.append(card)
    return [column, Column("4", "Closed Won", "won", {7: 4})]


def test_the_rows_of_one_read_are_formatted_once_and_shared():
    board_rows._SHOWN.clear()
    calls = []

    def labelled(card):
        calls.append(card.id)
        return f"Tier: {card.custom['9']}"

    read = _read()
    first = board_rows.shown_columns(read, (("9", "Tier"),), labelled)
    assert board_rows.shown_columns(read, (("9", "Tier"),), labelled) is first
    assert calls == [1]  # twenty tabs sharing the read: one formatting
    card = first[0].cards[0]
    assert (card.amount, card.close_date, card.column, card.custom) == (
        "USD 150,000.00",
        "2030-06-30",
        "3",
        "Tier: Gold",
    )
    assert (first[0].total, first[0].more, first[1].total) == ("USD 9.00", 3, "USD 0.00")
    # Other labels (a renamed field, other columns) or another read: formatted again.
    assert board_rows.shown_columns(read, (("9", "Level"),), labelled) is not first
    assert board_rows.shown_columns(_read("Deal 2"), (("9", "Tier"),), labelled) is not first


def test_a_read_gone_from_the_cache_is_never_mistaken_for_a_new_one():
    board_rows._SHOWN.clear()
    reads = [_read(f"Deal {n}") for n in range(board_rows.SHOWN_BOARDS + 5)]
    for read in reads:
        board_rows.shown_columns(read, (), lambda card: "")
    assert len(board_rows._SHOWN) == board_rows.SHOWN_BOARDS  # bounded
    latest = board_rows.shown_columns(reads[-1], (), lambda card: "")
    assert latest[0].cards[0].name == f"Deal {board_rows.SHOWN_BOARDS + 4}"
