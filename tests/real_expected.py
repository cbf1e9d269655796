"""Independent figures for the real exports in ../shared/datasets/real (tests/real.rs).

Reads each export with openpyxl / xlrd / odfpy (not with salesplan), applies SPEC §2's
rules for that export by hand, and prints the figures that tests/real.rs asserts:
revenue (month, ytd), orders (ytd) and active customers (ytd) for the report month.

    pip install openpyxl xlrd odfpy
    python3 tests/real_expected.py
"""

import datetime as dt
import os
import re

import openpyxl
import xlrd

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "real")


def xlsx_rows(path, sheet=None):
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def xls_rows(path, sheet):
    book = xlrd.open_workbook(path)
    sh = book.sheet_by_name(sheet)
    out = []
    for r in range(sh.nrows):
        row = []
        for c in range(sh.ncols):
            cell = sh.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype == xlrd.XL_CELL_EMPTY:
                row.append(None)
            else:
                row.append(cell.value)
        out.append(row)
    return out


def records(rows):
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    return [dict(zip(header, r)) for r in rows[1:] if any(v not in (None, "") for v in r)]


def text_id(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def figures(name, lines, month, customers=True, orders=True):
    """lines: (date, order_id, customer, amount)."""
    y, m = month
    in_month = [l for l in lines if l[0].year == y and l[0].month == m]
    ytd = [l for l in lines if l[0].year == y and l[0].month <= m]
    rev_m = sum(l[3] for l in in_month)
    rev_y = sum(l[3] for l in ytd)
    n_orders = len({l[1] for l in ytd}) if orders else None
    n_customers = len({l[2] for l in ytd}) if customers else None
    print(f"{name} {y}-{m:02}: revenue.month={rev_m!r} revenue.ytd={rev_y!r} "
          f"orders.ytd={n_orders} active_customers.ytd={n_customers}")


def bike():
    rows = records(xlsx_rows(os.path.join(ROOT, "bike-sales-cn", "销售记录.xlsx")))
    lines = [(r["下单日期"], r["订单编号"], r["客户ID"], r["金额"]) for r in rows]
    figures("bike-sales-cn", lines, (2016, 12))


def chaoyang():
    rows = records(xls_rows(os.path.join(ROOT, "chaoyang-pharmacy-cn", "朝阳医院2018年销售数据.xls"), "Sheet1"))
    lines = []
    for i, r in enumerate(rows):
        text = r["购药时间"]
        card = r["社保卡号"]
        if not text or card in (None, ""):
            continue  # rejected: a required value missing
        try:
            # `2018-01-01 星期五`: the weekday label is ignored
            d = dt.datetime.strptime(str(text).split()[0], "%Y-%m-%d")
        except ValueError:
            continue  # 2018-02-29: rejected
        lines.append((d, i, text_id(card), r["实收金额"]))  # 实收 over 应收; a line is an order
    figures("chaoyang-pharmacy-cn", lines, (2018, 7))


def financial():
    rows = records(xlsx_rows(os.path.join(ROOT, "financial-sample", "Financial Sample.xlsx")))
    lines = [(r["Date"], i, None, r["Sales"]) for i, r in enumerate(rows)]
    figures("financial-sample", lines, (2014, 12), customers=False)
    ytd = [r for r in rows if r["Date"].year == 2014]
    sales = sum(r["Sales"] for r in ytd)
    cogs = sum(r["COGS"] for r in ytd)
    print(f"financial-sample 2014-12: gross_margin.ytd={(sales - cogs) / sales!r}")


def packt():
    base = os.path.join(ROOT, "packt-superstore-targets-budget")
    lines = []
    for f, amount in [("Superstore Sales Orders - US.xlsx", "Sales"),
                      ("Superstore Sales Orders - Canada.xlsx", "Revenue")]:
        for r in records(xlsx_rows(os.path.join(base, f))):
            lines.append((r["Order Date"], r["Order ID"], r["Customer ID"], r[amount]))
    figures("packt-superstore-targets-budget", lines, (2014, 12))
    targets = xlsx_rows(os.path.join(base, "Sales Targets.xlsx"))
    header = targets[0]
    dec = header.index(next(h for h in header if isinstance(h, dt.datetime) and h.month == 12))
    year = sum(sum(v for v in r[1:13] if isinstance(v, (int, float))) for r in targets[1:] if r[0])
    print(f"packt 2014-12: target.month={sum(r[dec] for r in targets[1:] if r[0])!r} target.year={year!r}")


def partner():
    rows = xlsx_rows(os.path.join(ROOT, "partner-monthly-ranking-cn", "销售数据.xlsx"))
    # Row 2 is the totals row (no labels): skipped. Months 1月…6月 are columns D…I.
    data = [r for r in rows[2:] if any(v not in (None, "") for v in r[:3])]
    month = [sum((r[3 + k] or 0) for r in data) for k in range(6)]
    print(f"partner-monthly-ranking-cn 2019-06: revenue.month={month[5]!r} revenue.ytd={sum(month)!r}")


def supermarket():
    path = os.path.join(ROOT, "supermarket-cashier-cn", "超市营业额2.xlsx")
    lines = []
    for sheet in ["Sheet1", "Sheet2"]:
        for i, r in enumerate(records(xlsx_rows(path, sheet))):
            if r["交易额"] is None:
                continue  # rejected
            d = r["日期"]
            d = d if isinstance(d, dt.datetime) else dt.datetime.strptime(str(d), "%Y-%m-%d")
            lines.append((d, (sheet, i), None, r["交易额"]))
    figures("supermarket-cashier-cn", lines, (2019, 4), customers=False)


def superpy():
    from odf.opendocument import load
    from odf.table import Table, TableRow, TableCell
    doc = load(os.path.join(ROOT, "superpy-ods", "sales.ods"))
    table = doc.spreadsheet.getElementsByType(Table)[0]
    rows = []
    for tr in table.getElementsByType(TableRow):
        row = []
        for tc in tr.getElementsByType(TableCell):
            rep = int(tc.getAttribute("numbercolumnsrepeated") or 1)
            v = tc.getAttribute("datevalue") or tc.getAttribute("value")
            row.extend([v] * min(rep, 10))
        rows.append(row)
    lines = []
    for r in rows[2:]:
        if r and r[3]:
            lines.append((dt.datetime.fromisoformat(r[3][:10]), len(lines), None, float(r[4])))
    figures("superpy-ods", lines, (2023, 9), customers=False)


def superstore_cn():
    rows = records(xls_rows(os.path.join(ROOT, "superstore-cn", "示例 - 超市.xls"), "订单"))
    lines = [(r["订单日期"], r["订单 ID"], r["客户 ID"], r["销售额"]) for r in rows]
    figures("superstore-cn", lines, (2017, 12))


def superstore_us():
    base = os.path.join(ROOT, "superstore-us-with-targets")
    rows = records(xls_rows(os.path.join(base, "Sample - Superstore.xls"), "Orders"))
    lines = [(r["Order Date"], r["Order ID"], r["Customer ID"], r["Sales"]) for r in rows]
    # Sales Commission.csv: every date is `1/1/02 0:00` (a two-digit year): all rejected.
    figures("superstore-us-with-targets", lines, (2020, 12))
    targets = records(xlsx_rows(os.path.join(base, "Sales Target (US).xlsx")))
    dec = sum(r["Sales Target"] for r in targets if r["Order Date"].year == 2020 and r["Order Date"].month == 12)
    year = sum(r["Sales Target"] for r in targets if r["Order Date"].year == 2020)
    print(f"superstore-us-with-targets 2020-12: target.month={dec!r} target.year={year!r}")


if __name__ == "__main__":
    for f in [bike, chaoyang, financial, packt, partner, supermarket, superpy, superstore_cn, superstore_us]:
        f()
