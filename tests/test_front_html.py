"""html_front: saved vbpl.vn pages and small hand-written pages -> Document.

The expectations state what the pages say as read in their HTML source (the body div marked
`data-vbpl-content-root`), never the front-end's output; tests/data/formats/SOURCES.md names the
files and where they come from.
"""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import pytest

from cchc_graph.errors import SourceError
from cchc_graph.ingest.html_front import read
from cchc_graph.ingest.model import Block, Document, Kind

DATA = Path(__file__).parent / "data" / "formats" / "html"
NQ119 = DATA / "vbpl_nq119_2026_ubtvqh15_chuongtrinh_lapphap.html"
ND314 = DATA / "vbpl_nd314_2025_quyche_ubnd_tinh.html"
ND347 = DATA / "vbpl_nd347_2025_tthc_khobac.html"
PAGES = [NQ119, ND314, ND347]

# the vbpl.vn shell around the body: breadcrumb, menu, tabs, status and dates
SHELL = (
    "Thuộc tính",
    "Lược đồ",
    "Văn bản gốc",
    "Tải về",
    "TRANG CHỦ",
    "GIỚI THIỆU",
    "Trang chủ",
    "VĂN BẢN PHÁP LUẬT TRUNG ƯƠNG",
    "Hiển thị chi tiết cập nhật",
    "Còn hiệu lực",
    "Ngày có hiệu lực",
    "Ngày cập nhật",
)
CSS = ("{", "}", "font-family", "display:", "anticon", "-webkit-")


@pytest.fixture(scope="module")
def documents() -> dict[Path, Document]:
    return {page: read(page) for page in PAGES}


def tables(document: Document) -> list[Block]:
    return [block for block in document.blocks if block.kind is Kind.TABLE]


def table(document: Document, number: int) -> Block:
    found = [block for block in tables(document) if block.location.table == number]
    assert len(found) == 1
    return found[0]


def grid(block: Block) -> list[list[tuple[str, ...]]]:
    return [[cell.lines for cell in row.cells] for row in block.rows]


def all_text(document: Document) -> list[str]:
    texts = [block.text for block in document.blocks if block.text]
    for block in tables(document):
        texts += [line for row in block.rows for cell in row.cells for line in cell.lines]
    return texts


def page(tmp_path: Path, body: str | bytes, name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
    return path


# --- Nghị quyết 119/2026/UBTVQH15: the assignment table ------------------------------------

COUNCIL = ("Hội đồng Dân tộc, các Ủy ban khác của Quốc hội",)
ECONOMY = ("Ủy ban", "Kinh tế và Tài chính")  # two <p> in the cell


def test_nq119_assignment_table_header_and_rows(documents: dict[Path, Document]) -> None:
    block = table(documents[NQ119], 2)
    assert not block.layout
    rows = grid(block)
    assert len(rows) == 9  # the header and projects 1. to 8.
    assert rows[0] == [
        ("STT",),
        ("Tên dự án",),
        ("Cơ quan trình",),
        ("Cơ quan chủ trì", "thẩm tra"),
        ("Cơ quan tham gia thẩm tra",),
        ("Tiến độ trình UBTVQH",),
    ]
    assert rows[1] == [
        ("1.",),
        ("Luật Thủ đô (sửa đổi)",),
        ("Chính phủ",),
        ("Ủy ban Pháp luật và Tư pháp",),  # "Ủy ban  Pháp luật" with two spaces in the source
        COUNCIL,
        ("Phiên họp tháng 3/2026",),
    ]
    assert rows[3] == [
        ("3.",),
        (
            "Luật sửa đổi, bổ sung một số điều của Luật Thương mại, Luật Cạnh tranh, Luật Quản lý "
            "ngoại thương, Luật Bảo vệ quyền lợi người tiêu dùng",
        ),
        ("Chính phủ",),
        ECONOMY,
        COUNCIL,
        ("Phiên họp tháng 8/2026",),
    ]
    assert rows[8] == [
        ("8.",),
        ("Luật Giao dịch hàng hóa phái sinh",),
        ("Chính phủ",),
        ECONOMY,
        COUNCIL,
        ("Phiên họp tháng 9/2026",),
    ]
    assert [row[5][0] for row in rows[1:]] == ["Phiên họp tháng 3/2026"] * 2 + [
        "Phiên họp tháng 8/2026"
    ] + ["Phiên họp tháng 9/2026"] * 5


def test_nq119_table_has_no_merged_cells(documents: dict[Path, Document]) -> None:
    # the page writes every cell of every row (no rowspan, no colspan): nothing is continued
    block = table(documents[NQ119], 2)
    for number, row in enumerate(block.rows, 1):
        assert len(row.cells) == 6
        assert all(cell.col_span == 1 and not cell.continued for cell in row.cells)
        assert [cell.location.cell for cell in row.cells] == [1, 2, 3, 4, 5, 6]
        assert {cell.location.row for cell in row.cells} == {number}
        assert row.cells[0].location.element.endswith(("/th[1]", "/td[1]"))


def test_nq119_text_is_nfc(documents: dict[Path, Document]) -> None:
    # the source spells "đổi" of "Luật Thủ đô (sửa đổi)" with a combining hook above
    for text in all_text(documents[NQ119]):
        assert unicodedata.is_normalized("NFC", text), text
    assert "Luật Thủ đô (sửa đổi)" in table(documents[NQ119], 2).rows[1].cells[1].lines


def test_nq119_first_and_last_blocks(documents: dict[Path, Document]) -> None:
    blocks = documents[NQ119].blocks
    letterhead = blocks[0]
    assert letterhead.kind is Kind.TABLE and letterhead.layout
    assert grid(letterhead) == [
        [
            ("ỦY BAN THƯỜNG VỤ QUỐC HỘI",),
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh Phúc"),
        ],
        [("Nghị quyết số: 119/2026/UBTVQH15",), ()],
    ]
    assert [(b.kind, b.text) for b in blocks[1:4]] == [
        (Kind.PARAGRAPH, "NGHỊ QUYẾT"),
        (Kind.PARAGRAPH, "Điều chỉnh Chương trình lập pháp năm 2026"),
        (Kind.PARAGRAPH, "ỦY BAN THƯỜNG VỤ QUỐC HỘI"),
    ]
    assert blocks[-2].text == (
        "Nghị quyết này được Ủy ban Thường vụ Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam "
        "khóa XV thông qua ngày 06 tháng 02 năm 2026"
    )
    signature = blocks[-1]
    assert signature.kind is Kind.TABLE and signature.layout
    assert grid(signature) == [
        [(), ("TM. ỦY BAN THƯỜNG VỤ QUỐC HỘI", "CHỦ TỊCH", "(Đã ký)", "Trần Thanh Mẫn")]
    ]
    assert len(tables(documents[NQ119])) == 3


def test_nq119_articles(documents: dict[Path, Document]) -> None:
    texts = [block.text for block in documents[NQ119].blocks]
    assert "Điều 1. Điều chỉnh Chương trình lập pháp năm 2026" in texts
    assert "Điều 2. Tổ chức thực hiện" in texts
    assert "Điều 3. Hiệu lực thi hành" in texts
    assert (
        "7. Đưa ra khỏi Chương trình lập pháp năm 2026 dự án Luật Thủ tục ban hành quyết định "
        "hành chính." in texts
    )


# --- every page: only the body, in place ----------------------------------------------------


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_no_shell_or_css_in_the_body(documents: dict[Path, Document], path: Path) -> None:
    for text in all_text(documents[path]):
        for word in SHELL + CSS:
            assert word not in text, (word, text)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_locations(documents: dict[Path, Document], path: Path) -> None:
    document = documents[path]
    assert document.format == "html" and document.reader.startswith("lxml ")
    assert document.name == path.name and document.notes == ()
    root = "html/body/main/div/div[2]/div[3]/div/div[2]/div/div/div/div/div/div/div/"
    numbers = [block.location.table for block in tables(document)]
    assert numbers == list(range(1, len(numbers) + 1))
    for index, block in enumerate(document.blocks, 1):
        assert block.location.element.startswith(root)
        if block.kind is Kind.TABLE:
            assert block.location.paragraph is None
            assert block.location.element.endswith("table")
        else:  # the block's own place in the body
            assert block.location.paragraph == index
            assert block.text == block.text.strip() and "  " not in block.text


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_unmarked_page_finds_the_same_body(
    documents: dict[Path, Document], path: Path, tmp_path: Path
) -> None:
    # without the crawler's mark, the densest element that is not navigation is the same div
    raw = path.read_bytes().replace(b' data-vbpl-content-root="true"', b"")
    assert read(page(tmp_path, raw, path.name)).blocks == documents[path].blocks


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_reading_time(path: Path) -> None:
    started = time.perf_counter()
    read(path)
    assert time.perf_counter() - started < 1.5


# --- Nghị định 314/2025/NĐ-CP: long text ----------------------------------------------------


def test_nd314_articles(documents: dict[Path, Document]) -> None:
    blocks = documents[ND314].blocks
    texts = [block.text for block in blocks]
    articles = [int(m.group(1)) for t in texts if (m := re.match(r"Điều (\d+)\. ", t))]
    # Điều 1-3 of the decree, then Điều 1-48 of the Quy chế it issues
    assert articles == [1, 2, 3, *range(1, 49)]
    assert all(block.kind is Kind.PARAGRAPH for block in blocks if block.text.startswith("Điều"))
    start = texts.index("Điều 2. Hiệu lực thi hành")
    assert texts[start + 1] == (
        "1. Nghị định này có hiệu lực thi hành kể từ ngày 08 tháng 12 năm 2025."
    )
    assert texts[start + 2].startswith(
        "2. Quyết định số 53/2006/QĐ-TTg ngày 08 tháng 3 năm 2006 của Thủ tướng Chính phủ"
    )
    assert texts[start + 3].startswith("3. Bãi bỏ các quy định liên quan đến cuộc họp")
    assert texts[start + 4] == "Điều 3. Trách nhiệm thi hành"
    assert "Điều 1. Phạm vi, đối tượng điều chỉnh" in texts
    assert "Điều 48. Truyền thông tin trên hệ thống thông tin điện tử" in texts
    # bold "Điều 1. " and plain text after it join into one paragraph
    assert texts[8] == (
        "Điều 1. Ban hành kèm theo Nghị định này Quy chế làm việc mẫu của Ủy ban nhân dân tỉnh, "
        "thành phố trực thuộc trung ương."
    )


def test_nd314_chapters_keep_their_line_break_as_a_space(documents: dict[Path, Document]) -> None:
    chapters = [b.text for b in documents[ND314].blocks if b.text.startswith("Chương ")]
    assert len(chapters) == 9
    assert chapters[0] == "Chương I NHỮNG QUY ĐỊNH CHUNG"  # <strong>Chương I</strong><br/>…
    assert chapters[-1] == "Chương IX CÔNG TÁC THÔNG TIN, BÁO CÁO"


def test_nd314_letterhead_signature_and_end(documents: dict[Path, Document]) -> None:
    document = documents[ND314]
    assert len(tables(document)) == 2
    assert all(block.layout for block in tables(document))
    assert grid(document.blocks[0]) == [
        [
            ("CHÍNH PHỦ", "-------"),
            (
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
                "---------------",
            ),
        ],
        [("Số: 314/2025/NĐ-CP",), ("Hà Nội, ngày 08 tháng 12 năm 2025",)],
    ]
    assert document.blocks[1].text == "NGHỊ ĐỊNH"
    # the decree is signed before the Quy chế it issues
    assert grid(table(document, 2)) == [
        [(), ("TM. CHÍNH PHỦ", "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "(Đã ký)", "Phạm Thị Thanh Trà")]
    ]
    texts = [block.text for block in document.blocks]
    after = document.blocks.index(table(document, 2)) + 1  # an empty <p> between is no block
    assert texts[after : after + 2] == [
        "QUY CHẾ",
        "LÀM VIỆC MẪU CỦA ỦY BAN NHÂN DÂN TỈNH, THÀNH PHỐ TRỰC THUỘC TRUNG ƯƠNG (Kèm theo Nghị "
        "định số 314/2025/NĐ-CP Ngày 08 tháng 12 năm 2025 của Chính phủ)",
    ]
    assert texts[-1] == (
        "4. Các cơ quan, đơn vị chủ động, tích cực trong việc thực hiện ứng dụng công nghệ thông "
        "tin và chuyển đổi số."
    )


# --- Nghị định 347/2025/NĐ-CP: forms full of tables -----------------------------------------


def test_nd347_table_count(documents: dict[Path, Document]) -> None:
    # 168 <table> elements lie in the content root; 14 of them sit in a cell of another table
    # and are read into that cell's lines, so the body holds 154 tables
    assert len(tables(documents[ND347])) == 154
    assert table(documents[ND347], 1).layout  # CHÍNH PHỦ | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
    assert table(documents[ND347], 2).layout  # Nơi nhận | TM. CHÍNH PHỦ
    assert table(documents[ND347], 2).rows[0].cells[0].lines[:2] == (
        "Nơi nhận:",
        "- Ban Bí thư Trung ương Đảng;",
    )


def test_nd347_rowspan_and_colspan_header(documents: dict[Path, Document]) -> None:
    # Mẫu số 09 (C2-10/NS): 17 header cells span two rows, then two cells span two columns
    block = table(documents[ND347], 33)
    assert not block.layout
    spanning = [
        "STT",
        "Ngày hạch toán",
        "Số chứng từ",
        "Diễn giải",
        "Năm dự toán/ năm kế hoạch vốn",
        "Mã tài khoản kế toán",
        "Tạm ứng",
        "Thực chi",
        "Mã nội dung kinh tế",
        "Mã cấp ngân sách",
        "Mã đơn vị quan hệ ngân sách",
        "Mã địa bàn hành chính",
        "Mã chương",
        "Mã ngành kinh tế",
        "Mã Chương trình mục tiêu, dự án và hạch toán chi tiết",
        "Mã nguồn ngân sách nhà nước",
        "Mã dự phòng",
    ]
    first, second, third, fourth = block.rows[:4]
    assert [c.text for c in first.cells] == [*spanning, "Số tiền nguyên tệ", "Số tiền VNĐ"]
    assert [c.col_span for c in first.cells] == [1] * 17 + [2, 2]
    assert not any(c.continued for c in first.cells)
    assert [c.text for c in second.cells] == [*spanning, "Nợ", "Có", "Nợ", "Có"]
    assert [c.continued for c in second.cells] == [True] * 17 + [False] * 4
    assert [c.location.cell for c in second.cells] == list(range(1, 22))
    assert second.cells[0].location.element == first.cells[0].location.element
    assert grid(block)[2] == [(), (), (), ("- Số liệu đã hạch toán",)]
    assert third.cells[3].col_span == 18
    assert [c.text for c in fourth.cells] == ["", "", "", "….", *[""] * 17]
    assert grid(block)[4] == [(), (), (), ("- Số liệu đề nghị điều chỉnh",)]
    assert len(block.rows) == 6
    for row in block.rows:
        assert sum(cell.col_span for cell in row.cells) == 21


def test_nd347_rowspans_around_a_split_header(documents: dict[Path, Document]) -> None:
    # Mẫu số 10 (C2-03/NS): spanning cells on both sides of the two-row part of the header
    block = table(documents[ND347], 37)
    first, second, _, total = block.rows
    assert [(c.text, c.col_span) for c in first.cells] == [
        ("Nội dung thanh toán (2)", 1),
        ("Hóa đơn", 2),
        ("Chứng từ", 2),
        ("Mã nội dung kinh tế", 2),
        ("Mã ngành kinh tế", 1),
        ("Mã nguồn ngân sách nhà nước", 1),
        ("Số dư tạm ứng", 1),
        ("Số đề nghị thanh toán", 1),
    ]
    assert [(c.text, c.continued) for c in second.cells] == [
        ("Nội dung thanh toán (2)", True),
        ("Số", False),
        ("Ngày", False),
        ("Số", False),
        ("Ngày", False),
        ("Đã tạm ứng", False),
        ("Đề nghị thanh toán", False),
        ("Mã ngành kinh tế", True),
        ("Mã nguồn ngân sách nhà nước", True),
        ("Số dư tạm ứng", True),
        ("Số đề nghị thanh toán", True),
    ]
    assert [(c.text, c.col_span) for c in total.cells] == [("Tổng cộng:", 10), ("", 1)]


def test_nd347_nested_table_joins_its_cell(documents: dict[Path, Document]) -> None:
    # Mẫu số 16: the first cell holds five lines and then a table of its own
    block = table(documents[ND347], 77)
    cell = block.rows[0].cells[0]
    assert cell.lines[1] == "Cơ quan thu ngân sách: ………………………………………….."
    assert cell.lines[5:] == (
        "Nội dung",
        "Mã nội dung kinh tế",
        "Loại ngoại tệ",
        "Tỷ giá",
        "Số tiền",
        "Nguyên tệ",
        "Quy ra VND",
        "(1)",
        "(2)",
        "(3)",
        "(4)",
        "(5)",
        "(6)",
        "Tổng cộng:",
    )
    assert block.rows[0].cells[1].lines == ("PHẦN KHO BẠC", "NHÀ NƯỚC GHI")  # <br/> in the cell
    assert block.rows[1].cells[0].continued and block.rows[1].cells[0].lines == cell.lines
    assert block.rows[1].cells[1].lines[:2] == ("Nợ tài khoản: …………….", "Có tài khoản: ……………...")


# --- small pages written here ---------------------------------------------------------------


def test_rowspan_and_colspan_fill_the_grid(tmp_path: Path) -> None:
    document = read(
        page(
            tmp_path,
            """<table border="1">
            <thead><tr><th rowspan="2">TT</th><th colspan="2">Cơ quan</th><th rowspan="3">Ghi chú</th></tr>
            <tr><th>Chủ trì</th><th>Phối hợp</th></tr></thead>
            <tbody><tr><td>1</td><td rowspan="2">Sở Nội vụ</td><td>Sở Tư pháp<br>Sở Tài chính</td><td>a</td></tr>
            <tr><td>2</td><td>Sở Y tế</td><td>b</td></tr>
            <tr><td rowspan="2">3</td><td>x</td><td rowspan="2">y</td></tr><tr></tr></tbody></table>""",  # noqa: E501
        )
    )
    (block,) = document.blocks
    assert not block.layout
    rows = [[(c.text, c.col_span, c.continued) for c in row.cells] for row in block.rows]
    assert rows == [
        [("TT", 1, False), ("Cơ quan", 2, False), ("Ghi chú", 1, False)],
        # "Ghi chú" spans 3 rows but stops at the end of <thead>, as a browser draws it
        [("TT", 1, True), ("Chủ trì", 1, False), ("Phối hợp", 1, False), ("Ghi chú", 1, True)],
        [
            ("1", 1, False),
            ("Sở Nội vụ", 1, False),
            ("Sở Tư pháp Sở Tài chính", 1, False),
            ("a", 1, False),
        ],
        [("2", 1, False), ("Sở Nội vụ", 1, True), ("Sở Y tế", 1, False), ("b", 1, False)],
        [("3", 1, False), ("x", 1, False), ("y", 1, False)],
        # an empty <tr> under two spans: the gap between them is an empty cell
        [("3", 1, True), ("", 1, False), ("y", 1, True)],
    ]
    assert block.rows[2].cells[2].lines == ("Sở Tư pháp", "Sở Tài chính")
    continued = block.rows[3].cells[1]
    assert continued.location.row == 4 and continued.location.cell == 2
    assert continued.location.element == "html/body/table/tbody/tr[1]/td[2]"


def test_list_markers(tmp_path: Path) -> None:
    document = read(
        page(
            tmp_path,
            """<ol type="a" start="3"><li>ba</li><li>bốn<ul><li>con</li></ul></li></ol>
            <ol type="I"><li>một</li><li value="4">bốn</li><li>năm</li></ol>
            <ol><li><p>Điều 5. Trong đoạn</p></li></ol><ol reversed><li>hai</li><li>một</li></ol>
            <ul style="list-style-type: upper-alpha"><li>A</li></ul>""",
        )
    )
    assert [(b.kind, b.marker, b.level, b.text) for b in document.blocks] == [
        (Kind.LIST_ITEM, "c.", 0, "ba"),
        (Kind.LIST_ITEM, "d.", 0, "bốn"),
        (Kind.LIST_ITEM, "-", 1, "con"),
        (Kind.LIST_ITEM, "I.", 0, "một"),
        (Kind.LIST_ITEM, "IV.", 0, "bốn"),
        (Kind.LIST_ITEM, "V.", 0, "năm"),
        (Kind.LIST_ITEM, "1.", 0, "Điều 5. Trong đoạn"),
        (Kind.LIST_ITEM, "2.", 0, "hai"),
        (Kind.LIST_ITEM, "1.", 0, "một"),
        (Kind.LIST_ITEM, "A.", 0, "A"),
    ]


def test_blocks_inline_text_and_headings(tmp_path: Path) -> None:
    document = read(
        page(
            tmp_path,
            """<html><body><h2>Chương  II</h2><p><b>Điều 5.</b> Nội&nbsp;dung <i>in
            nghiêng</i><br>dòng sau</p><div>chữ rời<p>đoạn trong</p>đuôi</div>
            <table><tr><td><ul><li>Sở Y tế</li><li>Sở Xây dựng</li></ul></td></tr></table>
            </body></html>""",
        )
    )
    assert [(b.kind, b.level, b.text) for b in document.blocks[:-1]] == [
        (Kind.HEADING, 2, "Chương II"),
        (Kind.PARAGRAPH, 0, "Điều 5. Nội dung in nghiêng dòng sau"),
        (Kind.PARAGRAPH, 0, "chữ rời"),
        (Kind.PARAGRAPH, 0, "đoạn trong"),
        (Kind.PARAGRAPH, 0, "đuôi"),
    ]
    assert [b.location.element for b in document.blocks[:3]] == [
        "html/body/h2",
        "html/body/p",
        "html/body/div",
    ]
    assert document.blocks[-1].rows[0].cells[0].lines == ("- Sở Y tế", "- Sở Xây dựng")


def test_hidden_and_non_text_elements_are_dropped(tmp_path: Path) -> None:
    document = read(
        page(
            tmp_path,
            """<html><head><title>Tiêu đề trang</title><style>p { color: red }</style></head>
            <body><nav>Trang chủ</nav><p>hiện</p><p style="display: none">ẩn một</p>
            <div hidden><p>ẩn hai</p></div><p style="visibility:hidden">ẩn ba</p>
            <span style="mso-hide:all">ẩn bốn</span><script>var x = "ẩn năm";</script>
            <noscript>ẩn sáu</noscript><form><label>Tìm</label><input value="ẩn bảy"></form>
            <div role="tablist"><a>Thuộc tính</a></div><p>cu\x01ối\u200b</p></body></html>""",
        )
    )
    assert [block.text for block in document.blocks] == ["hiện", "cuối"]


def test_page_without_a_marked_body(tmp_path: Path) -> None:
    filler = " ".join(["nội dung văn bản"] * 20)
    document = read(
        page(
            tmp_path,
            f"""<html><body><header><a href="/">TRANG CHỦ</a></header>
            <div class="main-nav"><ul><li><a href="/vb">Văn bản</a></li></ul></div>
            <div id="page"><div class="sidebar"><p>Văn bản mới</p></div>
            <div class="doc"><h1>KẾ HOẠCH</h1><p>Một: {filler}.</p><p>Hai: {filler}.</p></div>
            </div><footer>Bản quyền</footer></body></html>""",
        )
    )
    assert [block.text[:4] for block in document.blocks] == ["KẾ H", "Một:", "Hai:"]
    assert document.blocks[0].location.element == "html/body/div[2]/div[2]/h1"


def test_thuvienphapluat_content_div(tmp_path: Path) -> None:
    document = read(
        page(
            tmp_path,
            """<html><body><form id="aspnetForm"><div class="menu"><a>Trang chủ</a></div>
            <div id="divContentDoc"><div class="content1"><div><div><p>QUYẾT ĐỊNH</p>
            <p>Điều 1. Ban hành.</p></div></div></div></div><div>Liên hệ quảng cáo</div>
            </form></body></html>""",
        )
    )
    assert [block.text for block in document.blocks] == ["QUYẾT ĐỊNH", "Điều 1. Ban hành."]


def test_word_export_reads_the_whole_body(tmp_path: Path) -> None:
    # Word's "save as HTML": footnotes sit after the section div, office markup all around
    filler = " ".join(["Ủy ban nhân dân tỉnh giao Sở Nội vụ chủ trì"] * 10)
    document = read(
        page(
            tmp_path,
            f"""<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
            <meta name=Generator content="Microsoft Word 15 (filtered)">
            <style><!-- p.MsoNormal {{margin:0cm}} --></style>
            <!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>A</o:Author>
            </o:DocumentProperties></xml><![endif]--></head>
            <body lang=VI><div class=WordSection1>
            <p class=MsoNormal><b>Điều 1.<o:p></o:p></b> {filler}</p>
            <p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><![if !supportLists]><span
            style='mso-list:Ignore'>a)<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;
            </span></span><![endif]>Khoản a</p>
            <p class=MsoNormal><span style='mso-hide:all'>ẩn</span>hiện<a href="#_ftn1">[1]</a></p>
            </div><div style='mso-element:footnote-list'><div style='mso-element:footnote'>
            <p class=MsoFootnoteText><a href="#_ftnref1">[1]</a> Chú thích.</p></div></div>
            </body></html>""",
        )
    )
    assert [block.text for block in document.blocks] == [
        f"Điều 1. {filler}",
        "a) Khoản a",  # Word types the list number into the paragraph
        "hiện[1]",
        "[1] Chú thích.",
    ]


TONES = "\u0300\u0301\u0303\u0309\u0323"  # the tone marks windows-1258 writes after the letter


def windows_1258(text: str) -> bytes:
    """Encode as windows-1258 does: base letters (ê, ơ, đ) precomposed, tone marks combining."""
    pieces = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        pieces.append(base + "".join(c for c in parts if c in TONES))
    return "".join(pieces).encode("cp1258")


def test_windows_1258_page(tmp_path: Path) -> None:
    text = "Điều 5. Ủy ban nhân dân tỉnh phối hợp với Sở Nội vụ"
    raw = windows_1258(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
        f"</head><body><p>{text}</p></body></html>"
    )
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    (block,) = read(page(tmp_path, raw)).blocks
    assert block.text == text  # decoded, then the combining tone marks composed (NFC)


def test_byte_order_mark(tmp_path: Path) -> None:
    raw = "\ufeff<html><body><p>Chào</p></body></html>".encode("utf-16-le")
    assert [block.text for block in read(page(tmp_path, raw)).blocks] == ["Chào"]


def test_unknown_charset_is_read_as_utf8_with_a_note(tmp_path: Path) -> None:
    document = read(page(tmp_path, '<meta charset="x-tcvn3"><p>Sở Tư pháp</p>'))
    assert [block.text for block in document.blocks] == ["Sở Tư pháp"]
    assert document.notes == ("unknown charset 'x-tcvn3' declared; read as UTF-8",)


@pytest.mark.parametrize(
    "raw,message",
    [
        (b"<html><body><p>ok</p>\n<p>\xff\xfe garbage \x80\x81</p>", "byte offset 25"),
        (bytes(range(0x80, 0x100)) * 8, "byte offset 0"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "byte offset 10"),
        (b"<html>\x01\x00\x02</html>", "NUL at byte offset 7"),
        ("chỉ là văn bản, không có thẻ nào".encode(), "not HTML"),
        (b"", "not HTML"),
    ],
    ids=["bad-utf8", "random-bytes", "pdf", "nul", "plain-text", "empty"],
)
def test_not_html_raises_source_error(tmp_path: Path, raw: bytes, message: str) -> None:
    path = page(tmp_path, raw)
    with pytest.raises(SourceError) as raised:
        read(path)
    assert raised.value.path == path
    assert message in raised.value.message


def test_missing_file_raises_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        read(tmp_path / "absent.html")


@pytest.mark.parametrize(
    "markup",
    [
        "<p>unclosed <b>bold <table><tr><td>cell</p></td></b>",
        "<table><td rowspan='abc' colspan='-3'>x</td><td rowspan='70000'>y</td></table>",
        "<table><tr><td colspan='99999'>wide</td></tr></table>",
        "</td></tr><li>stray item</li><ol start='x'><li>z</li></ol>",
        "<div>" * 200 + "deep" + "</div>" * 200,
        "<table><tr><td><table><tr><td><table><tr><td>3 deep</td></tr></table>",
        "<!--[if gte mso 9]><xml><o:x/></xml><![endif]--><p><![if !supportLists]>1.<![endif]>a</p>",
    ],
    ids=["unclosed", "bad-spans", "huge-colspan", "stray", "deep", "nested", "word"],
)
def test_broken_markup_reads(tmp_path: Path, markup: str) -> None:
    document = read(page(tmp_path, f"<html><body>{markup}</body></html>"))
    assert document.blocks


def test_nesting_past_the_parser_limit_raises(tmp_path: Path) -> None:
    # libxml2 stops reading at 256 nested elements; what follows would be lost without a word
    markup = "<html><body>\n" + "<div>" * 300 + "x" + "</div>" * 300 + "<p>after</p></body></html>"
    with pytest.raises(SourceError, match="Excessive depth") as raised:
        read(page(tmp_path, markup))
    assert raised.value.line == 2


@pytest.mark.parametrize(
    "markup,layout",
    [
        ("<tr><td>CHÍNH PHỦ</td><td>Mã QR code</td></tr>", True),  # small, no border
        ("<tr><th>TT</th><th>Nội dung</th></tr><tr><td>1</td><td>a</td></tr>", False),
        ('<tr><td style="border: 1px solid #000">1</td><td>a</td></tr>', False),
        ('<tr><td style="border-color: #ffffff; border-width: 1px">1</td></tr>', True),
        ("<tr><td>Nơi nhận:</td><td>KT. CHỦ TỊCH</td></tr>" * 5, True),
        ("<tr><td>a</td></tr>" * 4, False),  # more than three rows: data
    ],
    ids=["borderless", "header-cells", "bordered", "white-border", "signature", "long"],
)
def test_layout_tables(tmp_path: Path, markup: str, layout: bool) -> None:
    (block,) = read(page(tmp_path, f"<table>{markup}</table>")).blocks
    assert block.layout is layout
