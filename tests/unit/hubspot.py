"""A contacts export as HubSpot writes it: its own column names, and a "Contact owner" column
naming the exporting firm's sales people (who are not users of the importing organization)."""

HEADER = (
    "Record ID,First Name,Last Name,Email,Company Name,Phone Number,Job Title,Contact owner,"
    "Lifecycle Stage,Create Date"
)
SALES_PEOPLE = ("sally@vendor.example", "ron@vendor.example", "Pat Pipeline")
BAD_ROWS = {37: "missing last name", 101: "not an email"}  # row numbers as the file counts them


def contacts_export(rows: int = 150, *, tag: str = "") -> str:
    """`rows` contacts, all fine but the two of BAD_ROWS (a missing last name, a bad email)."""
    lines = [HEADER]
    for n in range(rows):
        row = n + 2  # the header is row 1
        owner = SALES_PEOPLE[n % len(SALES_PEOPLE)]
        last = "" if BAD_ROWS.get(row) == "missing last name" else f"Contact{n}"
        email = "not-an-email" if BAD_ROWS.get(row) == "not an email" else f"c{n}{tag}@cust.example"
        lines.append(
            f"{1000 + n},Person{n},{last},{email},Customer {tag}{n} Inc,+1 555 {n:04d},Buyer,"
            f"{owner},lead,2026-11-{1 + n % 28:02d}"
        )
    return "\n".join(lines) + "\n"
