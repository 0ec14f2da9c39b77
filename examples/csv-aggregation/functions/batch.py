"""What a partner's batch is: three CSV files of one date, and how their rows are checked.

A file is `<kind>_<date>.csv` (kind customers, orders or items; date YYYYMMDD), optionally
under a prefix. Each kind has a fixed header; a row is kept when every column is present and
valid, else it is reported. The table (hash key ID) holds one item per file of a batch,
ID = "<date>#<kind>", with the file's valid rows under `rows` (amounts as their decimal text).
"""

import decimal
import re

KINDS = ("customers", "orders", "items")
HEADERS = {
    "customers": ["customer_id", "customer_name"],
    "orders": ["order_id", "customer_id", "amount"],
    "items": ["item_id", "order_id"],
}
KEY_RE = re.compile(r"(?:^|/)(customers|orders|items)_(\d{8})\.csv$")


def batch_of(key):
    """(kind, date) of object key `key`, or None when it is not a batch file."""
    m = KEY_RE.search(key)
    return (m.group(1), m.group(2)) if m else None


def item_id(date, kind):
    return "%s#%s" % (date, kind)


def check_row(kind, row):
    """The reason row `row` (a dict of the header's columns) is not valid, or None."""
    for column in HEADERS[kind]:
        if not (row.get(column) or "").strip():
            return "empty %s" % column
    if kind == "orders":
        try:
            amount = decimal.Decimal(row["amount"].strip())
        except decimal.InvalidOperation:
            return "amount %r is not a number" % row["amount"]
        if not amount.is_finite() or amount < 0:
            return "amount %r is not a non-negative number" % row["amount"]
    return None


def shortest(number):
    """A Decimal as JSON would write it shortest: 400 for 400.00, 120.5 for 120.50."""
    if number == number.to_integral_value():
        return int(number)
    return float(number)
